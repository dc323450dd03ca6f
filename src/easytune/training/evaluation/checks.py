"""Instruction-following checks: each tells whether an answer obeys one instruction, and why.

Registered by name; an instruction probe names its check and an optional argument
(`{"check": "max_words", "arg": 5}`). A check never guesses: it measures the text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from easytune.training.evaluation.scoring import tokens

_NUMBER_ONLY = re.compile(r"-?\d+(?:[.,]\d+)?")
_BULLET = re.compile(r"^\s*[-*•]\s+\S")
_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_QUOTE_WIDTH = 60


@dataclass(frozen=True)
class Verdict:
    """Pass or fail, and a short reason a person can check against the answer."""

    ok: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "why": self.why}


Check = Callable[[str, Any], Verdict]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    """Add a check under `name`; a second check of the same name is refused."""

    def add(check: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"instruction check {name!r} is already registered")
        CHECKS[name] = check
        return check

    return add


def quote(text: str) -> str:
    """The answer shortened for a `why` line."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= _QUOTE_WIDTH else flat[: _QUOTE_WIDTH - 3] + "...")


def _cased(answer: str) -> list[str]:
    return [c for c in answer if c.lower() != c.upper()]


def _visible(answer: str) -> list[str]:
    """Characters that are not space or punctuation (what a reader counts in Chinese)."""
    return [c for c in answer if not c.isspace() and unicodedata.category(c)[0] not in "PS"]


@register("one_word")
def one_word(answer: str, arg: Any) -> Verdict:
    words = tokens(answer)
    return Verdict(len(words) == 1, f"{len(words)} word(s): {quote(answer)}")


@register("max_words")
def max_words(answer: str, arg: Any) -> Verdict:
    count = len(answer.split())
    return Verdict(0 < count <= int(arg), f"{count} word(s), at most {arg} asked")


@register("max_chars")
def max_chars(answer: str, arg: Any) -> Verdict:
    count = len(_visible(answer))
    return Verdict(0 < count <= int(arg), f"{count} character(s), at most {arg} asked")


@register("uppercase")
def uppercase(answer: str, arg: Any) -> Verdict:
    letters = _cased(answer)
    lower = sum(c.islower() for c in letters)
    return Verdict(bool(letters) and not lower, f"{lower} lowercase of {len(letters)} letters")


@register("lowercase")
def lowercase(answer: str, arg: Any) -> Verdict:
    letters = _cased(answer)
    upper = sum(c.isupper() for c in letters)
    return Verdict(bool(letters) and not upper, f"{upper} uppercase of {len(letters)} letters")


@register("number_only")
def number_only(answer: str, arg: Any) -> Verdict:
    bare = answer.strip().rstrip(".。!！")
    ok = bool(_NUMBER_ONLY.fullmatch(bare))
    return Verdict(ok, f"{'just' if ok else 'not just'} a number: {quote(answer)}")


def _opens(head: str, option: str) -> bool:
    # "Yesterday" must not pass for "yes": an ASCII option ends at a word boundary.
    following = head[len(option) : len(option) + 1]
    boundary = not (option.isascii() and following.isascii() and following.isalnum())
    return head.startswith(option) and boundary


@register("starts_with")
def starts_with(answer: str, arg: Any) -> Verdict:
    head = unicodedata.normalize("NFKC", answer).casefold().lstrip(" \t\n\"'*-#:：，,.。")
    ok = any(_opens(head, str(option).casefold()) for option in arg)
    return Verdict(ok, f"opens with {quote(answer[:20])}; asked: {' or '.join(arg)}")


@register("contains_word")
def contains_word(answer: str, arg: Any) -> Verdict:
    found = str(arg).casefold() in tokens(answer)
    return Verdict(found, f"{'uses' if found else 'lacks'} the word {arg!r}")


@register("bullet_list")
def bullet_list(answer: str, arg: Any) -> Verdict:
    count = sum(bool(_BULLET.match(line)) for line in answer.splitlines())
    return Verdict(count >= int(arg), f"{count} bulleted line(s), {arg} asked")


@register("json_object")
def json_object(answer: str, arg: Any) -> Verdict:
    found = _JSON_OBJECT.search(answer)
    try:
        data = json.loads(found.group(0)) if found else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Verdict(False, f"no JSON object in {quote(answer)}")
    return Verdict(arg in data, f"a JSON object {'with' if arg in data else 'without'} {arg!r}")
