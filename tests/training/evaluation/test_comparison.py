"""The evaluation job's child on the tiny Llama: report, resume from saved answers, clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from tests.core.conftest import save_tiny_adapter

from easytune.training.evaluation.answers import AnswerCache
from easytune.training.evaluation.job import base_groups, execute
from easytune.training.evaluation.probes import load_probes
from easytune.training.evaluation.spec import ComparisonSpec


def _spec(out: Path, base: Path, adapter: Path | None, **extra: Any) -> Path:
    models: list[dict[str, Any]] = [{"name": "tiny", "kind": "base", "base": {"path": str(base)}}]
    if adapter is not None:
        models.append(
            {"name": "pirate", "kind": "adapter", "base": {"path": str(base)},
             "adapter_dir": str(adapter)}
        )  # fmt: skip
    spec = {"output_dir": str(out), "models": models, "max_per_set": 1, "max_new_tokens": 4}
    path = out / "spec.json"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**spec, **extra}))
    return path


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_child_compares_then_a_rerun_reuses_the_saved_answers(
    tmp_path: Path, tiny_llama_dir: Path
) -> None:
    adapter = save_tiny_adapter(tiny_llama_dir, tmp_path / "adapter")
    spec = _spec(tmp_path / "out", tiny_llama_dir, adapter)
    first = io.StringIO()
    assert execute(spec, stream=first) == 0
    report = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert [m["name"] for m in report["models"]] == ["tiny", "pirate"]
    assert report["items"] == 5 and report["held_out"] == 0
    result = _lines(first.getvalue())[-1]
    assert result["type"] == "result" and result["report"] == "comparison.json"
    second = io.StringIO()
    assert execute(spec, stream=second) == 0  # as a retried attempt would: nothing answered again
    messages = [line.get("message", "") for line in _lines(second.getvalue())]
    assert sum("kept from the interrupted attempt" in m for m in messages) == 2
    assert not any(m.startswith("answering") for m in messages)
    again = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert [m["report"]["items"] for m in again["models"]] == [
        m["report"]["items"] for m in report["models"]
    ]


def test_a_bad_spec_and_a_missing_adapter_end_with_an_error_line(
    tmp_path: Path, tiny_llama_dir: Path
) -> None:
    bad = _spec(tmp_path / "bad", tiny_llama_dir, None)
    raw = json.loads(bad.read_text())
    raw["models"][0]["kind"] = "adapter"  # an adapter without its folder
    bad.write_text(json.dumps(raw))
    out = io.StringIO()
    assert execute(bad, stream=out) != 0
    error = _lines(out.getvalue())[-1]
    assert error["type"] == "error" and error["param"] == "models.0"
    gone = _spec(tmp_path / "gone", tiny_llama_dir, tmp_path / "deleted-adapter")
    out = io.StringIO()
    assert execute(gone, stream=out) != 0
    error = _lines(out.getvalue())[-1]
    assert error["code"] == "model_load" and "deleted-adapter" in error["message"]


def test_saved_answers_are_reused_only_for_the_same_items(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path)
    two, three = load_probes(max_per_set=1)[:2], load_probes(max_per_set=1)[:3]
    cache.put("base-0", two, ["a", "b"], 1.5)
    assert cache.get("base-0", two) == (["a", "b"], 1.5)
    assert cache.get("base-0", three) is None and not cache.has("model-1", two)
    (tmp_path / "model-1.json").write_text("{half")
    assert cache.get("model-1", two) is None


def test_models_are_grouped_by_their_base_in_request_order() -> None:
    spec = ComparisonSpec.model_validate({
        "output_dir": "/tmp/x",
        "models": [
            {"name": "a1", "kind": "adapter", "base": {"path": "/m/a"}, "adapter_dir": "/ad/1"},
            {"name": "b", "kind": "base", "base": {"path": "/m/b"}},
            {"name": "a", "kind": "base", "base": {"path": "/m/a"}},
        ],
    })  # fmt: skip
    assert [(ref.path, members) for ref, members in base_groups(spec)] == [
        ("/m/a", [0, 2]), ("/m/b", [1]),
    ]  # fmt: skip
