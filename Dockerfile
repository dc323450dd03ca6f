# syntax=docker/dockerfile:1.7
# EasyTune images, one multi-stage file (deploy/compose.yaml builds each target):
#   web     the React UI built with Node (only its dist/ leaves this stage)
#   deps    a virtualenv with EasyTune and its dependencies, wheels only (no compilers)
#   api     slim Python runtime for `easytune serve` and `easytune db upgrade` (non-root)
#   worker  CUDA PyTorch base + training extras for `easytune worker --executor celery`
#   nginx   TLS front end serving the built UI and proxying the API
# Versions are pinned here and must agree with pyproject.toml (torch) and web/package.json
# (Node); tests/deploy/test_images.py checks both.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm
ARG PYTORCH_IMAGE=pytorch/pytorch:2.13.0-cuda12.8-cudnn9-runtime
ARG NGINX_IMAGE=nginx:1.28.0-alpine
ARG TORCH_VERSION=2.13.0
ARG BITSANDBYTES_VERSION=0.50.2
ARG APP_UID=10001

# ---------------------------------------------------------------------------------------- web
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --------------------------------------------------------------------------------------- deps
FROM ${PYTHON_IMAGE} AS deps
ARG TORCH_VERSION
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The API needs torch only for the playground on CPU: the CPU wheel, not the CUDA build.
RUN pip install --only-binary=:all: --index-url https://download.pytorch.org/whl/cpu \
        "torch==${TORCH_VERSION}"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# --only-binary: every dependency must come as a wheel, so no stage needs a compiler.
RUN pip install --only-binary=:all: "setuptools>=77" wheel \
    && pip install --no-build-isolation --only-binary=:all: --no-binary=easytune .

# ---------------------------------------------------------------------------------------- api
FROM ${PYTHON_IMAGE} AS api
ARG APP_UID
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    EASYTUNE_DATA_DIR=/data \
    EASYTUNE_HOST=0.0.0.0 \
    EASYTUNE_PORT=8000 \
    EASYTUNE_WEB_DIST=
RUN groupadd --system --gid ${APP_UID} easytune \
    && useradd --system --uid ${APP_UID} --gid easytune --home-dir /data --shell /usr/sbin/nologin easytune \
    && mkdir -p /data && chown easytune:easytune /data
COPY --from=deps /opt/venv /opt/venv
USER easytune
WORKDIR /data
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
CMD ["easytune", "serve", "--no-worker"]

# ------------------------------------------------------------------------------------- worker
FROM ${PYTORCH_IMAGE} AS worker
ARG TORCH_VERSION
ARG BITSANDBYTES_VERSION
ARG APP_UID
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    EASYTUNE_DATA_DIR=/data \
    EASYTUNE_WEB_DIST=
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# The base image's torch stays (the constraint keeps pip from replacing it with another build);
# bitsandbytes brings 4-bit NF4 (QLoRA) and the paged 8-bit optimisers.
RUN echo "torch==${TORCH_VERSION}" > /tmp/constraints.txt \
    && pip install --only-binary=:all: -c /tmp/constraints.txt "setuptools>=77" wheel \
    && pip install --no-build-isolation --only-binary=:all: --no-binary=easytune \
        -c /tmp/constraints.txt ".[gpu]" "bitsandbytes==${BITSANDBYTES_VERSION}" \
    && python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '${TORCH_VERSION}')" \
    && rm -rf /src /tmp/constraints.txt
RUN groupadd --system --gid ${APP_UID} easytune \
    && useradd --system --uid ${APP_UID} --gid easytune --home-dir /data --shell /usr/sbin/nologin easytune \
    && mkdir -p /data && chown easytune:easytune /data
USER easytune
WORKDIR /data
# One slot per GPU; `easytune worker` reads EASYTUNE_WORKER_SLOTS.
CMD ["easytune", "worker", "--executor", "celery"]

# -------------------------------------------------------------------------------------- nginx
FROM ${NGINX_IMAGE} AS nginx
# openssl makes the self-signed certificate on first start (easytune-cert.sh).
RUN apk add --no-cache openssl
COPY deploy/nginx/easytune.conf.template /etc/nginx/templates/default.conf.template
COPY deploy/nginx/easytune-proxy.conf deploy/nginx/easytune-headers.conf /etc/nginx/easytune/
COPY --chmod=755 deploy/nginx/easytune-cert.sh /docker-entrypoint.d/15-easytune-cert.sh
COPY --from=web /src/web/dist /usr/share/nginx/html
ENV NGINX_HTTP_PORT=80 \
    NGINX_HTTPS_PORT=443 \
    NGINX_PUBLIC_HTTPS_PORT=443 \
    NGINX_TLS_DIR=/etc/nginx/certs \
    NGINX_CONF_DIR=/etc/nginx/easytune \
    NGINX_WEB_ROOT=/usr/share/nginx/html \
    NGINX_SERVER_NAME=localhost \
    EASYTUNE_API_UPSTREAM=api:8000 \
    EASYTUNE_MAX_UPLOAD_BYTES=2147483648
EXPOSE 80 443
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
    CMD ["curl", "-fsk", "-o", "/dev/null", "https://127.0.0.1/"]
