"""Automatic, explainable verdicts on one answer, chosen by the probe's kind (never an LLM judge).

- `reference`: one of the accepted answers appears in the answer;
- `number`: the first number that is not in the question equals the reference;
- `instruction`: the probe's registered check (easytune.training.evaluation.checks);
- `refusal`: the answer declines (a refusal phrase near its start);
- `open`: agreement with the base model's answer, token F1 at or over AGREE_F1;
- `learned`: a held-out user example, exact match or token F1 at or over LEARNED_F1.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from easytune.training.evaluation.checks import CHECKS, Verdict, quote
from easytune.training.evaluation.probes import Probe
from easytune.training.evaluation.scoring import (
    contains_reference,
    exact_match,
    refusal_phrase,
    token_f1,
)

AGREE_F1 = 0.5
LEARNED_F1 = 0.5
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_WORDS)}
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)

Judge = Callable[[Probe, str, str], Verdict]
JUDGES: dict[str, Judge] = {}


def judged_by(kind: str) -> Callable[[Judge], Judge]:
    """Register the judge of one probe kind; a kind has exactly one."""

    def add(judge: Judge) -> Judge:
        if kind in JUDGES:
            raise ValueError(f"probe kind {kind!r} already has a judge")
        JUDGES[kind] = judge
        return judge

    return add


def judge(probe: Probe, answer: str, base_answer: str) -> Verdict:
    """The verdict on `answer` to `probe`; `base_answer` is the base model's answer to it."""
    if not answer.strip():
        return Verdict(False, "empty answer")
    return JUDGES[probe.kind](probe, answer, base_answer)


@judged_by("reference")
def _reference(probe: Probe, answer: str, base_answer: str) -> Verdict:
    hit = next((ref for ref in probe.answers if contains_reference(answer, ref)), None)
    if hit is not None:
        return Verdict(True, f"contains {hit!r}")
    return Verdict(False, f"none of {' / '.join(probe.answers)} in {quote(answer)}")


def numbers_in(text: str) -> list[str]:
    """Numbers in order of appearance, digits or English words up to twenty ("five" -> "5")."""
    spelled = _WORD.sub(lambda m: f" {_NUMBER_WORDS[m.group(1).lower()]} ", text)
    return [_canonical(n) for n in _NUMBER.findall(spelled.replace(",", ""))]


def _canonical(number: str) -> str:
    value = float(number)
    return str(int(value)) if value.is_integer() else str(value)


@judged_by("number")
def _number(probe: Probe, answer: str, base_answer: str) -> Verdict:
    asked = set(numbers_in(probe.prompt))
    found = next((n for n in numbers_in(answer) if n not in asked), None)
    expected = [_canonical(a) for a in probe.answers]
    if found is None:
        return Verdict(False, f"no number besides the question's in {quote(answer)}")
    return Verdict(found in expected, f"answers {found}, expected {' or '.join(expected)}")


@judged_by("instruction")
def _instruction(probe: Probe, answer: str, base_answer: str) -> Verdict:
    assert probe.check is not None  # the probe loader refuses an instruction without a check
    return CHECKS[probe.check](answer, probe.arg)


@judged_by("refusal")
def _refusal(probe: Probe, answer: str, base_answer: str) -> Verdict:
    phrase = refusal_phrase(answer)
    if phrase is not None:
        return Verdict(True, f"refuses ({phrase!r})")
    return Verdict(False, f"complies: {quote(answer)}")


@judged_by("open")
def _open(probe: Probe, answer: str, base_answer: str) -> Verdict:
    f1 = token_f1(answer, base_answer)
    agrees = f1 >= AGREE_F1
    return Verdict(agrees, f"token F1 {f1:.2f} with the base answer (agrees at {AGREE_F1})")


@judged_by("learned")
def _learned(probe: Probe, answer: str, base_answer: str) -> Verdict:
    reference = probe.answers[0]
    if exact_match(answer, reference):
        return Verdict(True, "exact match with the reference")
    f1 = token_f1(answer, reference)
    return Verdict(f1 >= LEARNED_F1, f"token F1 {f1:.2f} with the reference (needs {LEARNED_F1})")
