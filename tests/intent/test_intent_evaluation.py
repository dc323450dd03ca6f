"""The evaluation section of a plan: chosen with reasons, overridable, and in the estimate."""
# mypy: disable-error-code="arg-type"
# Plan overrides forwarded as **kwargs.

from __future__ import annotations

from dataclasses import replace

from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, resolve_plan
from easytune.intent.choose_eval import REFUSAL_TOLERANCE
from easytune.training.evaluation.probes import load_probes
from easytune.training.facts import HardwareFacts

SMALL, CPU, GPU = MODELS["smollm2-135m"], HARDWARE["cpu-2core"], HARDWARE["a100-80g"]


def _plan(level: str = "L2", hardware: HardwareFacts = CPU, **overrides: object):
    data = next(iter(DATASETS.values()))
    return resolve_plan(
        IntentRequest(level=level),
        data, SMALL, hardware, **plan_kwargs(overrides=overrides),
    )  # fmt: skip


def test_the_report_is_planned_with_a_reason_per_setting() -> None:
    plan = _plan(hardware=GPU)
    section = plan.spec.evaluation
    assert section.enabled and section.probes == "default" and section.max_per_set is None
    assert section.batch_size == 64 and section.max_new_tokens == 32
    assert section.max_held_out == 32
    assert section.refusal_tolerance == REFUSAL_TOLERANCE["L2"][0]
    reasons = {k: v for k, v in plan.reasons.items() if k.startswith("evaluation.")}
    assert len(reasons) == len(section.model_fields)
    assert "default-v1" in reasons["evaluation.probes"]


def test_a_cpu_plan_samples_each_set_with_shorter_answers() -> None:
    section = _plan().spec.evaluation
    assert (section.max_per_set, section.max_held_out, section.max_new_tokens) == (8, 8, 24)
    assert "slow on CPU" in _plan().reasons["evaluation.max_per_set"]


def test_the_tolerance_follows_the_level() -> None:
    assert (
        _plan("L1").spec.evaluation.refusal_tolerance
        < _plan("L3").spec.evaluation.refusal_tolerance
    )


def test_the_report_time_is_in_the_estimate_and_goes_with_it() -> None:
    on, off = _plan(), _plan(**{"evaluation.enabled": False})
    assert off.spec.evaluation.enabled is False
    assert off.reasons["evaluation.enabled"].startswith("set by you")
    assert on.estimate.seconds > off.estimate.seconds
    fewer = _plan(**{"evaluation": {"max_per_set": 2, "max_new_tokens": 8}})
    assert _plan(hardware=GPU).estimate.seconds < on.estimate.seconds
    assert fewer.estimate.seconds < on.estimate.seconds
    assert len(load_probes(max_per_set=2)) == 10


def test_small_data_still_has_a_held_out_example_to_learn_from() -> None:
    tiny = replace(next(iter(DATASETS.values())), examples=6)
    plan = resolve_plan(IntentRequest(level="L1"), tiny, SMALL, CPU, **plan_kwargs())
    assert plan.spec.evaluation.max_held_out == 8  # the split holds one of six out
    none = _plan(**{"data.eval_fraction": 0.0})
    assert none.spec.evaluation.max_held_out == 0
    assert "learned is not measured" in none.reasons["evaluation.max_held_out"]
