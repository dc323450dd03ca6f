"""Crafted dataset files: refused by row count before parsing, parsed with bounded memory in a
child process, and previews served from the stored examples (issue 11, finding 3)."""

from __future__ import annotations

import io
import os
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from easytune.api.state import app_state
from easytune.settings import Settings
from easytune.testing.fixtures import platform_settings_for

ROWS = 2_000_000


def _bomb() -> bytes:
    """A ~100 KB Parquet file that expands to two million records."""
    table = pa.table({"text": pa.array(["the same short line"] * ROWS)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", row_group_size=ROWS)
    return buffer.getvalue()


@pytest.fixture
def platform_settings(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> Settings:
    # Rows are not capped here, memory is: the parse must die in its child, not in the API.
    return platform_settings_for(
        db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir),
        dataset_max_rows=10 * ROWS, dataset_parse_memory_mb=256,
    )  # fmt: skip


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.timeout(300)
def test_a_parquet_bomb_is_refused_with_the_api_memory_bounded(
    client_as: Callable[[str], TestClient], tmp_path: Path
) -> None:
    bomb = _bomb()
    assert len(bomb) < 300_000
    before = _maxrss_mb()
    refused = client_as("engineer").post(
        "/api/v1/datasets", files={"file": ("bomb.parquet", bomb)}, data={"name": "bomb"}
    )
    assert refused.status_code == 422, refused.text
    assert "memory" in refused.json()["error"]["message"]
    assert _maxrss_mb() - before < 150, "the records were never built in the API process"
    assert not any((tmp_path / "data" / "datasets").iterdir()), "nothing stored"


def test_too_many_rows_are_refused_before_parsing(
    client_as: Callable[[str], TestClient], app: FastAPI
) -> None:
    object.__setattr__(app_state(app).settings, "dataset_max_rows", 1000)
    refused = client_as("engineer").post(
        "/api/v1/datasets", files={"file": ("bomb.parquet", _bomb())}, data={"name": "bomb"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "too_many_rows"
    lines = b"".join(b'{"text": "line %d"}\n' % i for i in range(1001))
    refused = client_as("engineer").post(
        "/api/v1/datasets", files={"file": ("many.jsonl", lines)}, data={"name": "many"}
    )
    assert refused.status_code == 422 and "1000" in refused.json()["error"]["message"]


def test_previews_are_read_from_stored_examples(
    client_as: Callable[[str], TestClient], upload: Any, app: FastAPI
) -> None:
    created = upload().json()
    folder = Path(app_state(app).settings.data_dir).resolve() / "datasets" / created["id"]
    (folder / "data.jsonl").write_text("this is no longer a dataset\n")  # a re-parse would fail
    page = client_as("engineer").get(f"/api/v1/datasets/{created['id']}/preview?offset=2&limit=2")
    assert page.status_code == 200, page.text
    assert [row["line"] for row in page.json()["data"]] == [3, 4]
    assert oct(os.stat(folder).st_mode & 0o777) == "0o700"
    assert oct(os.stat(folder / "data.jsonl").st_mode & 0o777) == "0o600"
