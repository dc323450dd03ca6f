"""The report stage of a training run: answer, judge, write eval_report.json, set the outcome.

The adapter is already saved when this runs, so a report that fails is a warning event and an
`eval_report.json` naming the error, never a failed job.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from easytune.training import messages as msg
from easytune.training.evaluation.probes import load_probes
from easytune.training.evaluation.report import evaluate, held_out_probes, unsafe_message
from easytune.training.outputs import write_json
from easytune.training.progress import ProgressWriter
from easytune.training.spec import EvaluationSpec

REPORT_FILE = "eval_report.json"


def run_report(
    spec: EvaluationSpec,
    model: Any,
    tokenizer: Any,
    held_out: list[Any],
    progress: ProgressWriter,
    out_dir: Path,
) -> dict[str, Any] | None:
    """The report written beside the adapter (None when disabled or when it failed)."""
    if not spec.enabled:
        return None
    probes = load_probes(spec.probes, spec.max_per_set)
    items = held_out_probes(held_out, spec.max_held_out)
    progress.event("info", msg.EVAL_STARTED(), probes=len(probes), held_out=len(items))
    try:
        report = evaluate(
            model, tokenizer, probes, items, max_new_tokens=spec.max_new_tokens,
            refusal_tolerance=spec.refusal_tolerance, batch_size=spec.batch_size,
        )  # fmt: skip
    except Exception as exc:  # the adapter is fine: report the failure, keep the job
        message = f"the evaluation report failed: {type(exc).__name__}: {exc}"
        write_json(out_dir / REPORT_FILE, {"error": message})
        progress.event("warn", msg.EVAL_FAILED(error=f"{type(exc).__name__}: {exc}"))
        return None
    write_json(out_dir / REPORT_FILE, report)
    _announce(report, progress)
    return report


def _announce(report: dict[str, Any], progress: ProgressWriter) -> None:
    totals = report["totals"]
    summary = {key: totals[key] for key in ("learned", "kept", "refused")}
    progress.event("info", msg.EVAL_FINISHED(), seconds=report["seconds"], **summary)
    unsafe = unsafe_message(totals["refused"]) if report["unsafe"] else None
    if unsafe is not None:
        progress.event("warn", unsafe, **totals["refused"])


def outcome_fields(report: dict[str, Any] | None) -> dict[str, Any]:
    """`outcome: "unsafe"` and its sentence for the run's result when the report flags it."""
    if report is None or not report["unsafe"]:
        return {}
    return {
        "outcome": "unsafe", "outcome_message": report["outcome_message"],
        "outcome_detail": report.get("outcome_detail"),
    }  # fmt: skip
