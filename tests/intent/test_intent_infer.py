"""Auto level inference from English and Chinese descriptions and from dataset signals."""

from __future__ import annotations

import pytest
from intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs, stats

from easytune.intent import IntentRequest, infer_level, resolve_plan

NEUTRAL = stats(3000, 300, answer=200, turns=1)  # no dataset signal points anywhere


@pytest.mark.parametrize(
    ("text", "level", "word"),
    [
        ("Answer in a friendly, concise tone like our brand voice", "L1", "tone"),
        ("Make every reply follow our JSON output format", "L1", "format"),
        ("请把回答改成更礼貌的语气和统一的格式", "L1", "语气"),
        ("模仿我们公司的写作风格", "L1", "风格"),
        ("Teach it our medical terminology and clinical knowledge", "L2", "medical"),
        ("Answer questions about contract law and legal precedent", "L2", "legal"),
        ("让模型掌握医疗领域的专业术语", "L2", "医疗"),
        ("学习我们的法律知识库", "L2", "法律"),
        ("Follow multi-step instructions and use reasoning before answering", "L3", "instruction"),
        ("Make it an agent that can do function calls for each task", "L3", "task"),
        ("让模型更好地遵循复杂指令并进行推理", "L3", "指令"),
        ("完成多轮对话中的各种任务", "L3", "任务"),
    ],
)
def test_description_keywords_pick_the_level(text: str, level: str, word: str) -> None:
    got, why = infer_level(text, NEUTRAL)
    reason = str(why)
    assert got == level
    assert f'"{word}"' in reason


def test_dataset_signals_decide_without_a_description() -> None:
    assert infer_level("", DATASETS["tiny-style"])[0] == "L1"
    level, why = infer_level("", stats(3000, 800, chat=False, fmt="text"))
    reason = str(why)
    assert level == "L2" and "plain text" in reason and "long, dense examples" in reason
    level, why = infer_level("", stats(20000, 300, answer=200, turns=3.5))
    reason = str(why)
    assert level == "L3" and "many instructions (20000)" in reason and "multi-turn" in reason
    level, why = infer_level("", stats(150, 40, answer=20))
    reason = str(why)
    assert level == "L1" and "short answers" in reason and "few examples (150)" in reason


def test_no_signal_falls_back_to_l2_and_says_so() -> None:
    level, why = infer_level("make it better", NEUTRAL)
    reason = str(why)
    assert level == "L2" and "no clear signal" in reason


def test_words_outweigh_a_single_data_signal() -> None:
    # Short answers hint at L1, but the user says it is about medical knowledge.
    level, _ = infer_level("medical knowledge and terminology", DATASETS["tiny-style"])
    assert level == "L2"


def test_auto_plan_carries_the_inferred_level_and_reason() -> None:
    plan = resolve_plan(
        IntentRequest(level="auto", description="统一回复的语气"),
        DATASETS["tiny-style"],
        MODELS["qwen2-0.5b"],
        HARDWARE["cpu-2core"],
        **plan_kwargs(),
    )
    assert plan.level == plan.spec.level == "L1"
    assert "语气" in plan.level_reason
    explicit = resolve_plan(
        IntentRequest(level="L3", description="统一回复的语气"),
        DATASETS["tiny-style"],
        MODELS["qwen2-0.5b"],
        HARDWARE["cpu-2core"],
        **plan_kwargs(),
    )
    assert explicit.level == "L3" and "chosen by you" in explicit.level_reason
