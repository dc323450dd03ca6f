"""The Dockerfile cannot be built here (no daemon); its promises are checked as text: stages,
a non-root API with a /readyz health check and no compilers, pins agreeing with the repo."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPILERS = ("gcc", "g++", "build-essential", "clang", "make ")


def stages() -> dict[str, str]:
    """Each stage's text by name (`FROM ... AS name` up to the next FROM)."""
    parts = re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[1:]
    return {re.match(r"\S+ AS (\S+)", p).group(1): p for p in parts}  # type: ignore[union-attr]


def build_arg(name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert match, f"ARG {name} has no pinned default"
    return match.group(1)


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_stages_and_their_order() -> None:
    assert list(stages()) == ["web", "deps", "api", "worker", "nginx"]
    assert "npm ci" in stages()["web"] and "npm run build" in stages()["web"]
    assert "COPY --from=web /src/web/dist" in stages()["nginx"]


@pytest.mark.parametrize("name", ["api", "worker"])
def test_runtime_images_run_as_a_non_root_user(name: str) -> None:
    users = re.findall(r"^USER (\S+)$", stages()[name], re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}, users


def test_api_image_is_slim_checks_readyz_and_has_no_compilers() -> None:
    api, deps = stages()["api"], stages()["deps"]
    assert "HEALTHCHECK" in api and "/readyz" in api.split("HEALTHCHECK", 1)[1]
    assert build_arg("PYTHON_IMAGE").endswith("-slim-bookworm")
    for text in (api, deps):
        assert not any(tool in text for tool in COMPILERS)
        assert "apt-get install" not in text
    assert deps.count("--only-binary=:all:") >= 2  # every dependency a wheel


def test_pins_agree_with_the_repository() -> None:
    deps = pyproject()["project"]["dependencies"]  # type: ignore[index]
    [torch_pin] = [d for d in deps if d.startswith("torch==")]
    torch = torch_pin.removeprefix("torch==")
    assert build_arg("TORCH_VERSION") == torch
    assert build_arg("PYTORCH_IMAGE").split(":")[1].startswith(f"{torch}-cuda")
    [bnb] = pyproject()["project"]["optional-dependencies"]["gpu"]  # type: ignore[index]
    assert build_arg("BITSANDBYTES_VERSION") in Requirement(bnb).specifier
    engines = json.loads((ROOT / "web" / "package.json").read_text())["engines"]["node"]
    node = build_arg("NODE_IMAGE").split(":")[1].split("-")[0]
    assert node in SpecifierSet(engines.replace(" ", "")), (node, engines)
    for name in ("NODE_IMAGE", "PYTHON_IMAGE", "PYTORCH_IMAGE", "NGINX_IMAGE"):
        assert re.search(r":\d+\.\d+\.\d+", build_arg(name)), f"{name} must pin a version"


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", "data/", "web/node_modules", "deploy/secrets/", "deploy/.env"):
        assert entry in ignored, entry
