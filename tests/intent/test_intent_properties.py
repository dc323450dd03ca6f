"""Property test: any sensible inputs give a fitting, valid, explained plan or a clear refusal."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from intent_cases import HARDWARE, MODELS, RTX_4090, plan_kwargs, stats

from easytune.intent import IntentRequest, PlanDoesNotFit, resolve_plan
from easytune.training.spec import TrainSpec

HARDWARE_CHOICES = [
    *HARDWARE.values(),
    RTX_4090,
    dataclasses.replace(RTX_4090, gpu_count=4, bitsandbytes=True),
]


@settings(max_examples=80, deadline=None)
@given(
    level=st.sampled_from(["L1", "L2", "L3"]),
    model=st.sampled_from(sorted(MODELS)),
    hardware=st.sampled_from(range(len(HARDWARE_CHOICES))),
    examples=st.integers(1, 500_000),
    p50=st.integers(8, 6000),
    chat=st.booleans(),
)
def test_plans_fit_and_validate_or_are_refused(
    level: str, model: str, hardware: int, examples: int, p50: int, chat: bool
) -> None:
    facts, hw = MODELS[model], HARDWARE_CHOICES[hardware]
    data = stats(examples, p50, chat=chat, fmt="openai" if chat else "text")
    try:
        plan = resolve_plan(
            IntentRequest(level=level),
            data,
            facts,
            hw,
            **plan_kwargs(),
        )
    except PlanDoesNotFit as exc:
        assert exc.peak_memory_bytes > exc.budget_bytes and exc.suggestions
        return
    est = plan.estimate
    assert est.peak_memory_bytes <= est.memory_budget_bytes
    assert TrainSpec.model_validate(plan.spec.model_dump()) == plan.spec
    assert plan.spec.data.max_length <= facts.max_position_embeddings
    assert est.total_steps >= 1 and est.seconds >= 1
