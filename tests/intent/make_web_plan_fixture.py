"""Writes web/src/test/enginePlan.json: a plan resolved by the real intent engine (the UI's
Chinese-rendering test reads every row of it).

Run: PYTHONPATH=src python -m tests.intent.make_web_plan_fixture
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.intent.intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, resolve_plan

TARGET = Path(__file__).resolve().parents[2] / "web/src/test/enginePlan.json"


def engine_plan() -> dict[str, object]:
    intent = IntentRequest(level="auto", description="answer like a pirate, 海盗的语气")
    plan = resolve_plan(
        intent, DATASETS["tiny-style"], MODELS["smollm2-135m"], HARDWARE["cpu-2core"],
        overrides={"lora.r": 8, "train.learning_rate": 0.002}, **plan_kwargs(),
    )  # fmt: skip
    return plan.to_dict()


if __name__ == "__main__":
    TARGET.write_text(json.dumps(engine_plan(), ensure_ascii=False, indent=1) + "\n", "utf-8")
