#!/usr/bin/env bash
# The one start script: checks Docker (and the NVIDIA runtime for GPU workers), creates the
# settings file and the secrets on first run, then builds and brings the stack up.
#
#   ./start.sh                 GPU workers (needs the NVIDIA container toolkit)
#   ./start.sh --cpu           workers without GPUs (trial runs on tiny models)
#   ./start.sh --prepare       only create .env, secrets/, certs/ and models/; start nothing
#   ./start.sh -- --scale worker=2    anything after -- goes to `docker compose up`
set -euo pipefail
cd "$(dirname "$0")"

cpu=0
prepare=0
up_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu) cpu=1 ;;
        --prepare) prepare=1 ;;
        --) shift; up_args=("$@"); break ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "start.sh: $*" >&2; exit 1; }

random_secret() {  # $1 characters of [A-Za-z0-9] from the kernel's random source
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1" || true
}

check_docker() {
    command -v docker >/dev/null || die "docker not found: install Docker Engine 24+ (https://docs.docker.com/engine/install/)"
    docker compose version >/dev/null 2>&1 \
        || die "the Docker Compose plugin is missing: install docker-compose-plugin (Compose 2.24+)"
    docker info >/dev/null 2>&1 \
        || die "cannot reach the Docker daemon: start it (systemctl start docker) or add $(id -un) to the docker group"
}

check_nvidia() {
    if docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q nvidia; then
        return 0
    fi
    die "the NVIDIA container runtime is not configured: install nvidia-container-toolkit, run
  'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker',
  check with 'docker run --rm --gpus all ubuntu nvidia-smi'; or start CPU workers with --cpu"
}

write_secret() {  # name value: created once, never overwritten
    local path="secrets/$1"
    [ -s "$path" ] && return 0
    printf '%s' "$2" >"$path.tmp"
    # 0644 inside a 0700 folder: Compose bind-mounts the file as it is, and the containers'
    # non-root users must read it; the folder keeps other host users out.
    chmod 644 "$path.tmp"
    mv "$path.tmp" "$path"
    created=1
}

read_secret() { cat "secrets/$1"; }

prepare_files() {
    [ -f .env ] || { cp .env.example .env; echo "created deploy/.env from .env.example: review it"; }
    mkdir -p secrets certs models
    chmod 700 secrets
    created=0
    write_secret postgres_password "$(random_secret 32)"
    write_secret redis_password "$(random_secret 32)"
    write_secret secret_key "$(random_secret 64)"
    write_secret admin_password "$(random_secret 20)"
    write_secret database_url "postgresql://easytune:$(read_secret postgres_password)@postgres:5432/easytune"
    write_secret broker_url "redis://:$(read_secret redis_password)@redis:6379/0"
    write_secret redis_url "redis://:$(read_secret redis_password)@redis:6379/1"
    if [ "$created" = 1 ]; then
        echo "secrets written to deploy/secrets/; the first admin signs in as 'admin' with the"
        echo "password in deploy/secrets/admin_password (change it after signing in)"
    fi
}

compose_files() {
    files=(-f compose.yaml)
    [ "$cpu" = 1 ] && files+=(-f compose.cpu.yaml)
    return 0
}

prepare_files
[ "$prepare" = 1 ] && exit 0
check_docker
[ "$cpu" = 1 ] || check_nvidia
compose_files
docker compose "${files[@]}" config --quiet
docker compose "${files[@]}" up -d --build --wait "${up_args[@]}"
port="$(sed -n 's/^EASYTUNE_HTTPS_PORT=//p' .env)"
name="$(sed -n 's/^EASYTUNE_SERVER_NAME=//p' .env)"
echo "EasyTune is up: https://${name:-localhost}:${port:-443}/"
