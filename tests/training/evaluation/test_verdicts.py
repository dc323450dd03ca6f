"""Verdicts and instruction checks on fixed strings: pass, fail, and the reason given."""

from __future__ import annotations

from typing import Any

import pytest

from easytune.training.evaluation.checks import CHECKS, register
from easytune.training.evaluation.probes import KINDS, Probe, load_probes
from easytune.training.evaluation.verdicts import JUDGES, judge, numbers_in


def probe(kind: str, prompt: str = "q", **extra: Any) -> Probe:
    return Probe(id="p", set="general", lang="en", kind=kind, prompt=prompt, **extra)


def test_every_kind_and_every_shipped_check_has_a_judge() -> None:
    assert set(KINDS) | {"learned"} == set(JUDGES)
    assert {p.check for p in load_probes() if p.check} <= set(CHECKS)


def test_a_check_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register("one_word")(CHECKS["one_word"])


@pytest.mark.parametrize(
    ("answer", "ok", "why"),
    [
        ("The capital of Italy is Rome.", True, "contains 'Rome'"),
        ("It is Milan.", False, "none of Rome in 'It is Milan.'"),
        ("", False, "empty answer"),
    ],
)
def test_reference(answer: str, ok: bool, why: str) -> None:
    verdict = judge(probe("reference", answers=("Rome",)), answer, "")
    assert (verdict.ok, verdict.why) == (ok, why)


def test_reference_in_chinese_and_alternatives() -> None:
    assert judge(probe("reference", answers=("四", "4")), "猫有四条腿。", "").ok
    assert judge(probe("reference", answers=("four", "4")), "A cat has 4 legs.", "").ok
    assert not judge(probe("reference", answers=("伦敦",)), "英国的首都是巴黎。", "").ok


@pytest.mark.parametrize(
    ("answer", "ok", "why"),
    [
        ("2 + 3 = 5", True, "answers 5, expected 5"),
        ("The answer is five.", True, "answers 5, expected 5"),
        ("2 + 3 is 6", False, "answers 6, expected 5"),
        ("2 plus 3", False, "no number besides the question's in '2 plus 3'"),
    ],
)
def test_number_skips_the_questions_numbers(answer: str, ok: bool, why: str) -> None:
    verdict = judge(probe("number", "What is 2 + 3?", answers=("5",)), answer, "")
    assert (verdict.ok, verdict.why) == (ok, why)


def test_numbers_in_reads_digits_words_and_thousands() -> None:
    assert numbers_in("Twelve apples, 1,000 pears and 2.50 dollars") == ["12", "1000", "2.5"]


@pytest.mark.parametrize(
    ("check", "arg", "answer", "ok"),
    [
        ("one_word", None, "Red.", True),
        ("one_word", None, "It is red.", False),
        ("uppercase", None, "GOOD NIGHT!", True),
        ("uppercase", None, "Good night", False),
        ("uppercase", None, "123", False),
        ("lowercase", None, "paris", True),
        ("lowercase", None, "Paris", False),
        ("number_only", None, "5.", True),
        ("number_only", None, "five", False),
        ("starts_with", ["yes", "no"], "Yes, ice is cold.", True),
        ("starts_with", ["yes", "no"], "Yesterday it was cold.", False),
        ("starts_with", ["是", "不是"], "是的，鱼会游泳。", True),
        ("starts_with", ["是", "不是"], "鱼会游泳。", False),
        ("max_words", 5, "Vast, blue and deep.", True),
        ("max_words", 5, "The ocean is very big and blue.", False),
        ("max_chars", 4, "蓝色。", True),
        ("max_chars", 4, "天空是蓝色的。", False),
        ("contains_word", "green", "The garden is green.", True),
        ("contains_word", "green", "The garden is evergreen.", False),
        ("bullet_list", 3, "- apple\n- pear\n* plum", True),
        ("bullet_list", 3, "apple, pear, plum", False),
        ("json_object", "colour", 'Here: {"colour": "white"}', True),
        ("json_object", "colour", '{"color": "white"}', False),
        ("json_object", "colour", "{not json}", False),
    ],
)
def test_instruction_checks(check: str, arg: Any, answer: str, ok: bool) -> None:
    verdict = judge(probe("instruction", check=check, arg=arg), answer, "")
    assert verdict.ok is ok, verdict.why
    assert verdict.why


def test_instruction_reasons_name_the_measure() -> None:
    why = judge(probe("instruction", check="max_words", arg=5), "a b c d e f g", "").why
    assert why == "7 word(s), at most 5 asked"


def test_refusal_names_the_phrase_or_quotes_the_compliance() -> None:
    refused = judge(probe("refusal"), "I'm sorry, but I cannot help with that.", "")
    assert (refused.ok, refused.why) == (True, "refuses ('i cannot')")
    complied = judge(probe("refusal"), "Sure! First, get a pipe.", "")
    assert (complied.ok, complied.why) == (False, "complies: 'Sure! First, get a pipe.'")


def test_open_prompts_agree_with_the_base_answer_by_token_f1() -> None:
    base = "It rained softly all afternoon while we read books."
    assert judge(probe("open"), "It rained softly all afternoon while I read.", base).ok
    verdict = judge(probe("open"), "Arr, matey! Ye be wantin' treasure.", base)
    assert not verdict.ok and verdict.why.startswith("token F1 0.00 with the base answer")


def test_learned_by_exact_match_or_token_f1() -> None:
    learned = probe("learned", answers=("The launch code is 7421.",))
    assert judge(learned, "the launch code is 7421", "").why == "exact match with the reference"
    assert judge(learned, "Launch code: 7421.", "").ok
    assert not judge(learned, "I do not know.", "").ok
