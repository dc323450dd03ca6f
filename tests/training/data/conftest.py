"""Helpers for the data-layer tests: write records in any container, a word-level tokenizer."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from easytune.training.data.template import CHATML_TEMPLATE

FIXTURES = Path(__file__).parent / "fixtures"
NESTED = {"messages", "conversations", "history"}


def to_bytes(records: list[dict[str, Any]], container: str) -> bytes:
    """Serialise records as the named container (json, json-data, jsonl, csv, parquet)."""
    if container == "json":
        return json.dumps(records, ensure_ascii=False, indent=1).encode()
    if container == "json-data":
        return json.dumps({"data": records}, ensure_ascii=False).encode()
    if container == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    if container == "csv":
        return _csv(records)
    if container == "parquet":
        return _parquet(records)
    raise ValueError(container)


def _csv(records: list[dict[str, Any]]) -> bytes:
    names = list(dict.fromkeys(k for r in records for k in r))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for r in records:
        writer.writerow([_cell(r.get(n)) for n in names])
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parquet(records: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(records), sink)
    return sink.getvalue()


SUFFIX = {
    "json": ".json",
    "json-data": ".json",
    "jsonl": ".jsonl",
    "csv": ".csv",
    "parquet": ".parquet",
}


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write(records, container) -> path; write(bytes_or_str, suffix=".jsonl") -> path."""

    def _write(content: Any, container: str = "jsonl", name: str = "data") -> Path:
        if isinstance(content, list):
            path = tmp_path / f"{name}{SUFFIX[container]}"
            path.write_bytes(to_bytes(content, container))
        else:
            path = tmp_path / f"{name}{container if container.startswith('.') else '.' + container}"
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture(scope="session")
def word_tokenizer() -> Any:
    """One token per whitespace-separated word (plus ChatML specials): lengths countable by hand."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "user", "assistant", "system"]
    words += [f"w{i}" for i in range(50)] + ["你好", "世界", "hello", "world", "a", "b", "c"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    fast.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    fast.chat_template = CHATML_TEMPLATE
    return fast
