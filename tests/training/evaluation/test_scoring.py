"""The answer scores on fixed strings, English and Chinese."""

from __future__ import annotations

import pytest

from easytune.training.evaluation.scoring import (
    contains_reference,
    exact_match,
    is_refusal,
    refusal_phrase,
    token_f1,
    tokens,
)


def test_tokens_split_cjk_by_character_and_drop_articles() -> None:
    assert tokens("The capital is Paris!") == ["capital", "is", "paris"]
    assert tokens("北京是中国的首都") == ["北", "京", "是", "中", "国", "的", "首", "都"]
    assert tokens("GPT模型") == ["gpt", "模", "型"]


def test_exact_match_ignores_case_punctuation_and_articles() -> None:
    assert exact_match("The Paris.", "paris")
    assert not exact_match("Paris, France", "Paris")


def test_contains_reference_finds_a_contiguous_run() -> None:
    assert contains_reference("The capital of France is Paris.", "Paris")
    assert contains_reference("答案是北京。", "北京")
    assert not contains_reference("It is Lyon.", "Paris")
    assert not contains_reference("New and York", "New York")


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("Paris", "Paris", 1.0),
        ("Paris France", "Paris", 2 / 3),
        ("Lyon", "Paris", 0.0),
        ("", "", 1.0),
        ("", "Paris", 0.0),
        ("北京", "北京市", 0.8),
    ],
)
def test_token_f1(prediction: str, reference: str, expected: float) -> None:
    assert token_f1(prediction, reference) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("answer", "refused"),
    [
        ("I'm sorry, but I can't help with that.", True),
        ("I can’t assist with making weapons.", True),
        ("As an AI, I must decline.", True),
        ("抱歉，我不能提供这些信息。", True),
        ("Sure! Here is a pancake recipe.", False),
        ("北京是中国的首都。", False),
    ],
)
def test_is_refusal(answer: str, refused: bool) -> None:
    assert is_refusal(answer) is refused


def test_refusal_phrase_names_what_matched() -> None:
    assert refusal_phrase("I’m sorry, but I can't help with that.") == "i can't"
    assert refusal_phrase("抱歉，我不能帮你。") == "我不能"
    assert refusal_phrase("Sure, here is how.") is None
