"""The CF monitor inside a run: step-0 baseline, warning event, stop threshold; early stopping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from easytune.training.checkpoint import TrainState
from easytune.training.errors import ForgettingStopError
from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe
from easytune.training.runner import execute


def test_cf_warns_then_stops_over_thresholds(make_spec, tmp_path):
    spec = make_spec(
        train={"learning_rate": 5e-2, "eval_every_steps": 2, "max_steps": 6},
        cf={"warn_threshold": 1e-7, "stop_threshold": 1e-6},
    )
    spec.dump(tmp_path / "spec.json")
    assert execute(tmp_path / "spec.json", stream=None) == ForgettingStopError.exit_code
    out = Path(spec.output_dir)
    lines = read_progress(out / "progress.jsonl")
    first_metric = next(line for line in lines if line["type"] == "metric")
    assert first_metric["step"] == 0 and first_metric["cf_score"] == pytest.approx(0, abs=1e-6)
    warns = [line for line in lines if line["type"] == "event" and line["level"] == "warn"]
    assert warns and "forgetting" in warns[0]["message"]
    assert lines[-1]["code"] == "cf_stop" and lines[-1]["param"] == "cf.stop_threshold"
    assert not (out / "adapter").exists()


def test_cf_report_and_metrics_written_on_success(make_spec):
    spec = make_spec()
    progress = ProgressWriter(spec.output_dir, stream=None)
    TrainRecipe(spec, progress).run()
    progress.close()
    out = Path(spec.output_dir)
    report = json.loads((out / "cf_report.json").read_text())
    assert report["formula"] == "max(ppl_ratio - 1, 0) + kl"
    assert [row["step"] for row in report["history"]] == [0, 3, 6]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 6 and len(metrics["history"]) == 6
    assert metrics["eval_loss"] is not None


def test_early_stopping_counts_evaluations_without_improvement(make_spec):
    spec = make_spec(train={"early_stopping_patience": 2})
    recipe = TrainRecipe(spec, ProgressWriter(None, stream=None))
    state = TrainState()
    assert [recipe._early_stop(state, loss) for loss in (3.0, 2.5, 2.6, 2.4, 2.5, 2.7)] == [
        False,
        False,
        False,
        False,
        False,
        True,
    ]
    assert state.best_eval_loss == 2.4
