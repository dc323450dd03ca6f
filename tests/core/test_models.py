"""Model registry over HTTP and the CLI: register (checked), versions, list, show, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fastapi import FastAPI

from easytune.api.state import app_state
from easytune.db import transaction
from easytune.db.repositories import models as repo


def test_admin_registers_a_folder_with_facts_and_versions(
    client_as: Any, tiny_llama_dir: Path
) -> None:
    admin = client_as("admin")
    first = admin.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["id"].startswith("mdl_") and (body["kind"], body["version"]) == ("base", 1)
    facts = body["facts"]
    assert facts["model_type"] == "llama" and facts["num_layers"] == 2
    assert facts["attention_qkv"] and facts["has_chat_template"]
    second = admin.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert second.json()["version"] == 2
    engineer = client_as("engineer")
    listed = engineer.get("/api/v1/models", params={"kind": "base"}).json()
    assert listed["count"] == 2 and listed["data"][0]["version"] == 2
    assert engineer.get(f"/api/v1/models/{body['id']}").json()["name"] == "tiny"


def test_registration_refuses_bad_paths(client_as: Any, tmp_path: Path) -> None:
    admin = client_as("admin")
    cases = {
        str(tmp_path / "missing"): "does not exist",
        str(tmp_path): "no config.json and no .gguf",
    }
    (tmp_path / "notes.txt").write_text("x")
    cases[str(tmp_path / "notes.txt")] = "not a .gguf file"
    for path, words in cases.items():
        response = admin.post("/api/v1/models", json={"path": path})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["param"] == "path" and words in error["message"]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    response = admin.post("/api/v1/models", json={"path": str(broken)})
    assert response.status_code == 422 and "cannot load the model" in response.text
    assert client_as("engineer").post("/api/v1/models", json={"path": "/x"}).status_code == 403


def test_base_model_is_not_downloadable_and_delete_is_admin_only(
    client_as: Any, tiny_llama_dir: Path
) -> None:
    model = client_as("admin").post("/api/v1/models", json={"path": str(tiny_llama_dir)}).json()
    assert model["name"] == tiny_llama_dir.name
    engineer = client_as("engineer")
    assert engineer.get(f"/api/v1/models/{model['id']}/download").status_code == 400
    assert engineer.delete(f"/api/v1/models/{model['id']}").status_code == 403
    assert client_as("admin").delete(f"/api/v1/models/{model['id']}").status_code == 204
    assert (tiny_llama_dir / "config.json").is_file()  # the server's files are never touched
    assert engineer.get(f"/api/v1/models/{model['id']}").status_code == 404


def test_cli_import(app: FastAPI, client: Any, tiny_llama_dir: Path, monkeypatch: Any) -> None:
    from easytune.cli import main

    settings = app_state(app).settings
    monkeypatch.setenv("EASYTUNE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("EASYTUNE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("EASYTUNE_SECRET_KEY", settings.secret())
    result = CliRunner().invoke(main, ["models", "import", str(tiny_llama_dir), "--name", "cli"])
    assert result.exit_code == 0, result.output
    assert "registered cli v1 as mdl_" in result.output
    with transaction(app_state(app).session_factory) as session:
        model = repo.get_by_name(session, "cli")
        assert model is not None and model.facts and model.owner_id is None
    missing = CliRunner().invoke(main, ["models", "import", "/nowhere"])
    assert missing.exit_code != 0 and "does not exist" in missing.output
