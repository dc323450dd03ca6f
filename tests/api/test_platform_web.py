"""`easytune serve` serves the built UI: files, the history-API fallback, cache headers, CSP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easytune import settings as settings_module
from easytune.api import create_app
from easytune.api.ops.security import SPA_CSP
from easytune.settings import SettingsError, load_settings
from easytune.testing.fixtures import platform_settings_for

INDEX = '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js">'
SCRIPT = "console.log('easytune');\n"


def _dist(root: Path) -> Path:
    """A tiny stand-in for `npm run build` output: index.html, one hashed asset, one plain file."""
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b.js").write_text(SCRIPT)
    (dist / "favicon.svg").write_text("<svg/>")
    return dist


@pytest.fixture
def ui(tmp_path: Path) -> TestClient:
    settings = platform_settings_for(
        f"sqlite:///{tmp_path / 'x.db'}", tmp_path, web_dist=_dist(tmp_path)
    )
    return TestClient(create_app(settings))  # no lifespan: these paths need no database


@pytest.mark.parametrize("path", ["/", "/login", "/settings?tab=users", "/jobs/3/logs", "/a.b"])
def test_ui_paths_fall_back_to_index_html(ui: TestClient, path: str) -> None:
    response = ui.get(path)
    assert response.status_code == 200 and response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == SPA_CSP


def test_hashed_assets_are_cached_for_good_other_files_revalidated(ui: TestClient) -> None:
    script = ui.get("/assets/app-1a2b.js")
    assert script.status_code == 200 and script.text == SCRIPT
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    icon = ui.get("/favicon.svg")
    assert icon.text == "<svg/>" and icon.headers["cache-control"] == "no-cache"
    assert ui.head("/").status_code == 200


def test_a_missing_asset_is_a_404_not_index_html(ui: TestClient) -> None:
    response = ui.get("/assets/app-old.js")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/nothing"), ("POST", "/api/v1/nothing"), ("GET", "/api"),
     ("GET", "/v1/x"), ("GET", "/docs/nothing"), ("POST", "/settings")],
)  # fmt: skip
def test_api_paths_and_other_methods_never_get_the_ui(
    ui: TestClient, method: str, path: str
) -> None:
    response = ui.request(method, path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_api_and_ops_routes_still_answer(ui: TestClient) -> None:
    assert ui.get("/healthz").json() == {"status": "ok"}
    assert "paths" in ui.get("/openapi.json").json()
    assert "swagger" in ui.get("/docs").text.lower()
    assert ui.get("/metrics").status_code == 200
    wrong_method = ui.put("/api/v1/auth/login")
    assert wrong_method.status_code == 405


def test_files_outside_dist_are_never_served(ui: TestClient, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    (tmp_path / "dist" / "link.txt").symlink_to(tmp_path / "secret.txt")
    for path in ("/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/link.txt"):
        response = ui.get(path)
        assert "top secret" not in response.text, path


def test_without_a_build_the_root_says_how_to_build(tmp_path: Path) -> None:
    settings = platform_settings_for(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    client = TestClient(create_app(settings))
    root = client.get("/")
    assert root.status_code == 200 and "make web-build" in root.text
    assert client.get("/jobs").status_code == 404


def test_web_dist_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "k" + "".join(chr(65 + i) for i in range(26)) + "0123456789abcdef"
    monkeypatch.setenv("EASYTUNE_WEB_DIST", str(tmp_path))
    with pytest.raises(SettingsError, match=r"EASYTUNE_WEB_DIST: .* has no index\.html"):
        load_settings(data_dir=tmp_path, secret_key=key)
    monkeypatch.setenv("EASYTUNE_WEB_DIST", "")
    assert load_settings(data_dir=tmp_path, secret_key=key).web_dist is None
    dist = _dist(tmp_path)
    monkeypatch.setenv("EASYTUNE_WEB_DIST", str(dist))
    assert load_settings(data_dir=tmp_path, secret_key=key).web_dist == dist


def test_default_web_dist_is_the_checkouts_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "SOURCE_WEB_DIST", tmp_path / "dist")
    assert settings_module.default_web_dist() is None
    dist = _dist(tmp_path)
    assert settings_module.default_web_dist() == dist
