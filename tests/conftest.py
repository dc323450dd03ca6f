"""Shared fixtures: tiny random models built offline, once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from easytune.testing.tiny import build_tokenizer, save_tiny_model

# Real-database fixtures (db_url over SQLite and PostgreSQL, db_engine, clients per role).
pytest_plugins = ("easytune.testing.fixtures",)


@pytest.fixture(scope="session")
def tiny_tokenizer():
    return build_tokenizer()


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face folder with a 2-layer random Llama and a ChatML tokenizer."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-llama"), "llama")


@pytest.fixture(scope="session")
def tiny_gpt2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Hugging Face folder with a 2-layer random GPT-2 and a ChatML tokenizer."""
    return save_tiny_model(tmp_path_factory.mktemp("tiny-gpt2"), "gpt2")
