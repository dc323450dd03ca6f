"""Registry tests: the API on a real database; statistics counted with the tiny tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.settings import Settings
from easytune.testing.fixtures import create_user_row, login_headers, platform_settings_for

CHAT = [
    {"messages": [{"role": "user", "content": f"question {i}"},
                  {"role": "assistant", "content": f"Arr, answer {i}"}]}
    for i in range(6)
]  # fmt: skip


@pytest.fixture
def platform_settings(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> Settings:
    return platform_settings_for(
        db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir), max_upload_bytes=64 * 1024
    )


def jsonl(records: list[Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


@pytest.fixture
def upload(client_as: Callable[[str], TestClient]) -> Callable[..., Any]:
    """upload(role, content=..., filename=..., **form) -> response."""

    def send(
        role: str = "engineer", content: bytes | None = None, filename: str = "data.jsonl",
        **form: str,
    ) -> Any:  # fmt: skip
        body = jsonl(CHAT) if content is None else content
        data = {"name": "chat set", **form}
        return client_as(role).post("/api/v1/datasets", files={"file": (filename, body)}, data=data)

    return send


@pytest.fixture
def second_engineer(client: TestClient, app: FastAPI, auth_headers: Any) -> TestClient:
    """Another engineer (user B), to check that A's things stay A's."""
    create_user_row(app, "engineer2", "engineer")
    return TestClient(client.app, headers=login_headers(client, "engineer2"))


@pytest.fixture
def registered(
    client_as: Callable[[str], TestClient], upload: Callable[..., Any], tiny_llama_dir: Path
) -> dict[str, str]:
    """A shared tiny base model (admin) and an engineer's dataset: {"model": id, "dataset": id}."""
    admin = client_as("admin")
    model = admin.post("/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"})
    assert model.status_code == 201, model.text
    dataset = upload()
    assert dataset.status_code == 201, dataset.text
    return {"model": model.json()["id"], "dataset": dataset.json()["id"]}


def job_body(ids: dict[str, str], **extra: Any) -> dict[str, Any]:
    """A POST /jobs body for the registered model and dataset."""
    return {
        "name": "pirate",
        "base_model_id": ids["model"],
        "dataset_id": ids["dataset"],
        "intent": {"level": "L1", "description": "answer like a pirate"},
        **extra,
    }


def save_tiny_adapter(base_dir: Path, target: Path, seed: int = 0) -> Path:
    """A real PEFT LoRA adapter of the tiny model, written like the engine writes it; its random
    weights come from `seed`, so answers are the same every run."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(base_dir)
    torch.manual_seed(seed)
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    peft_model = get_peft_model(model, config)  # random B: it changes the answers
    peft_model.save_pretrained(str(target), safe_serialization=True)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(target)
    return target
