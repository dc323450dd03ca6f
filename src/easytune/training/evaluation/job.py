"""The `evaluation` job's child: several models on the probe sets (and held-out data).

`python -m easytune.training.evaluation run SPEC.json` reads a ComparisonSpec, loads each base
model once, answers with the base and every adapter of it, and writes comparison.json to the
output folder. Each model's answers are saved as they are made, so an attempt killed mid-way
resumes with the models already answered.
"""

from __future__ import annotations

import gc
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

from easytune.training.errors import EngineError
from easytune.training.evaluation.answers import AnswerCache
from easytune.training.evaluation.compare import (
    AnswerOptions,
    answers_of,
    attach_adapters,
    load_base,
    report_of,
)
from easytune.training.evaluation.probes import Probe, load_probes, probe_set_name
from easytune.training.evaluation.report import REPORT_VERSION, held_out_probes
from easytune.training.evaluation.spec import COMPARISON_FILE, ComparedModel, ComparisonSpec
from easytune.training.outputs import write_json
from easytune.training.progress import ProgressWriter
from easytune.training.spec import DataSpec, ModelRef


def held_out_items(spec: ComparisonSpec) -> list[Probe]:
    """The dataset's held-out examples: the engine's default eval split, so an adapter trained
    on the dataset with the default data settings is scored on examples it did not see."""
    if spec.data_path is None:
        return []
    from easytune.training.data import load_dataset, split_examples

    defaults = DataSpec(train_path=spec.data_path)
    examples = load_dataset(spec.data_path, spec.data_format).examples
    _, held = split_examples(
        examples, defaults.eval_fraction, defaults.seed, defaults.max_eval_examples
    )
    return held_out_probes(held, spec.max_held_out)


def base_groups(spec: ComparisonSpec) -> list[tuple[ModelRef, list[int]]]:
    """Models grouped by base weights (request order kept): each base is loaded once."""
    groups: dict[tuple[str, str | None], tuple[ModelRef, list[int]]] = {}
    for index, model in enumerate(spec.models):
        key = (model.base.path, model.base.gguf_file)
        groups.setdefault(key, (model.base, []))[1].append(index)
    return list(groups.values())


class Comparison:
    """One run: answer with every model, a group at a time, then judge and write the report."""

    def __init__(self, spec: ComparisonSpec, progress: ProgressWriter) -> None:
        self.spec = spec
        self.progress = progress
        self.options = AnswerOptions(spec.max_new_tokens, spec.batch_size, spec.refusal_tolerance)
        self.cache = AnswerCache(Path(spec.output_dir) / "answers")
        self.items: list[Probe] = []
        self.passes = len(base_groups(spec)) + sum(m.kind == "adapter" for m in spec.models)
        self.done = 0

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        probes = load_probes(self.spec.probes, self.spec.max_per_set)
        self.items = [*probes, *held_out_items(self.spec)]
        reports: dict[int, dict[str, Any]] = {}
        for ref, members in base_groups(self.spec):
            reports.update(self._group(ref, members))
        report = self._report([reports[i] for i in range(len(self.spec.models))], started)
        write_json(Path(self.spec.output_dir) / COMPARISON_FILE, report)
        self._stage("done", f"comparison written: {len(self.spec.models)} model(s)")
        return _result(report)

    def _group(self, ref: ModelRef, members: list[int]) -> dict[int, dict[str, Any]]:
        """The reports of one base's models; the weights load only if some answers are missing."""
        models = [self.spec.models[i] for i in members]
        adapters = [(i, m) for i, m in zip(members, models, strict=True) if m.kind == "adapter"]
        passes: list[tuple[str, str | None, str]] = [
            (f"base-{members[0]}", None, _base_label(ref, models)),
            *((f"model-{i}", f"adapter_{k}", m.name) for k, (i, m) in enumerate(adapters, 1)),
        ]
        loaded: tuple[Any, Any] | None = None
        if not all(self.cache.has(key, self.items) for key, _, _ in passes):
            model, tokenizer = load_base(ref)
            model, _ = attach_adapters(model, [str(m.adapter_dir) for _, m in adapters])
            loaded = (model, tokenizer)
        answered = [self._answers(key, loaded, name, label) for key, name, label in passes]
        del loaded
        gc.collect()
        return self._judge(members, models, answered)

    def _answers(
        self, key: str, loaded: tuple[Any, Any] | None, adapter: str | None, label: str
    ) -> tuple[list[str], float]:
        cached = self.cache.get(key, self.items)
        self.done += 1
        if cached is not None:
            self._stage("answer", f"answers of {label} kept from the interrupted attempt")
            return cached
        assert loaded is not None  # the group loads its weights when any answer is missing
        self._stage("answer", f"answering {len(self.items)} prompts with {label}")
        started = time.monotonic()
        answers = answers_of(loaded[0], loaded[1], self.items, adapter, self.options)
        seconds = time.monotonic() - started
        self.cache.put(key, self.items, answers, seconds)
        return answers, seconds

    def _judge(
        self, members: list[int], models: list[ComparedModel],
        answered: list[tuple[list[str], float]],
    ) -> dict[int, dict[str, Any]]:  # fmt: skip
        base = answered[0][0]
        adapter_answers = iter(answered[1:])
        out = {}
        for index, model in zip(members, models, strict=True):
            answers, seconds = answered[0] if model.kind == "base" else next(adapter_answers)
            report = report_of(self.items, base, answers, self.options, seconds)
            out[index] = {**_identity(model), "report": report}
        return out

    def _report(self, models: list[dict[str, Any]], started: float) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "probe_set": probe_set_name(),
            "dataset_id": self.spec.dataset_id,
            "held_out": sum(item.set == "learned" for item in self.items),
            "items": len(self.items),
            "max_new_tokens": self.spec.max_new_tokens,
            "seconds": round(time.monotonic() - started, 2),
            "models": models,
        }

    def _stage(self, stage: str, message: str) -> None:
        step = self.passes if stage == "done" else self.done - 1
        self.progress.event("info", message, stage=stage, step=step, total_steps=self.passes)


def _base_label(ref: ModelRef, models: list[ComparedModel]) -> str:
    name = next((m.name for m in models if m.kind == "base"), Path(ref.path).name)
    return f"the base model {name}"


def _identity(model: ComparedModel) -> dict[str, Any]:
    keys = ("model_id", "name", "kind", "base_model_id")
    return {key: getattr(model, key) for key in keys}


def _result(report: dict[str, Any]) -> dict[str, Any]:
    """The job's result: the report's file name and each model's headline totals."""
    summary = [
        {**{k: m[k] for k in ("model_id", "name", "kind")}, **_headline(m["report"]["totals"])}
        for m in report["models"]
    ]
    return {"report": COMPARISON_FILE, "items": report["items"], "models": summary}


def _headline(totals: dict[str, Any]) -> dict[str, Any]:
    return {
        "learned": totals["learned"]["tuned"]["passed"],
        "kept": totals["kept"]["kept"],
        "refused": totals["refused"]["tuned"]["passed"],
    }


def parse_comparison_spec(raw: str) -> ComparisonSpec:
    """A ComparisonSpec from JSON text, or a BadSpecError listing every problem at once."""
    from easytune.training.runner import parse_json_spec

    return parse_json_spec(ComparisonSpec, raw, "evaluation")


def execute(spec_path: str | Path, stream: IO[str] | None = sys.stdout) -> int:
    """Compare from a spec file; return 0 or the failure's exit code (error line written)."""
    from easytune.training.runner import _output_dir, classify

    raw = Path(spec_path).read_text(encoding="utf-8")
    progress = ProgressWriter(_output_dir(raw), stream=stream)
    try:
        progress.result(**Comparison(parse_comparison_spec(raw), progress).run())
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        error = classify(exc)
        if type(error) is EngineError:
            traceback.print_exc(file=sys.stderr)
        progress.error(error.to_line())
        return error.exit_code
    finally:
        progress.close()
