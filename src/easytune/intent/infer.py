"""Infer the intent level from the user's description (English or Chinese) and the dataset."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from easytune.i18n import Msg
from easytune.training.facts import DatasetStats
from easytune.training.spec import Level

from . import reasons as rs
from .rules import SFT_LEVELS

# English keywords match at the start of a word ("format" also matches "formatting"); Chinese
# keywords match anywhere, since Chinese has no spaces between words.
KEYWORDS: dict[Level, tuple[str, ...]] = {
    "L1": (
        "style",
        "tone",
        "format",
        "voice",
        "persona",
        "formal",
        "casual",
        "concise",
        "polite",
        "friendly",
        "template",
        "wording",
        "phrasing",
        "brand",
        "emoji",
        "pirate",
        "rewrite",
        "风格",
        "语气",
        "格式",
        "口吻",
        "文风",
        "人设",
        "措辞",
        "简洁",
        "礼貌",
        "模板",
    ),
    "L2": (
        "domain",
        "knowledge",
        "terminology",
        "jargon",
        "medical",
        "medicine",
        "clinical",
        "legal",
        "law",
        "finance",
        "financial",
        "scientific",
        "technical doc",
        "product",
        "facts",
        "specialist",
        "expert",
        "industry",
        "patent",
        "biolog",
        "chemist",
        "领域",
        "知识",
        "术语",
        "医疗",
        "医学",
        "法律",
        "金融",
        "专业",
        "行业",
        "文献",
        "产品",
    ),
    "L3": (
        "instruction",
        "task",
        "follow",
        "reasoning",
        "step-by-step",
        "step by step",
        "agent",
        "tool use",
        "tool call",
        "function call",
        "multi-step",
        "chain of thought",
        "behaviour",
        "behavior",
        "dialogue",
        "multi-turn",
        "指令",
        "任务",
        "遵循",
        "推理",
        "步骤",
        "工具",
        "多轮",
        "对话",
        "行为",
    ),
}
KEYWORD_WEIGHT = 2  # the user's own words count more than what the data suggests
MAX_KEYWORD_HITS = 3  # so a long description cannot drown the data signals
PREFERENCE: dict[Level, int] = {"L2": 2, "L1": 1, "L3": 0}  # tie-break: the middle level first


@dataclass(frozen=True)
class DataSignal:
    """A dataset property that points at one level; `describe` names it for the reason."""

    level: Level
    applies: Callable[[DatasetStats], bool]
    describe: Callable[[DatasetStats], Msg]


DATA_SIGNALS: tuple[DataSignal, ...] = (
    DataSignal(
        "L1",
        lambda d: d.is_chat and 0 < _answer_tokens(d) < 80,
        lambda d: rs.SIGNAL_SHORT_ANSWERS(tokens=f"{_answer_tokens(d):.0f}"),
    ),
    DataSignal("L1", lambda d: d.examples < 2000, lambda d: rs.SIGNAL_FEW(examples=d.examples)),
    DataSignal("L2", lambda d: not d.is_chat, lambda d: rs.SIGNAL_PLAIN()),
    DataSignal("L2", lambda d: d.tokens_p50 >= 512, lambda d: rs.SIGNAL_LONG(tokens=d.tokens_p50)),
    DataSignal(
        "L3",
        lambda d: d.is_chat and d.examples >= 5000,
        lambda d: rs.SIGNAL_MANY(examples=d.examples),
    ),
    DataSignal(
        "L3", lambda d: d.mean_turns >= 2, lambda d: rs.SIGNAL_TURNS(turns=f"{d.mean_turns:.1f}")
    ),
)


def _answer_tokens(d: DatasetStats) -> float:
    return d.mean_assistant_tokens


def keyword_hits(description: str) -> dict[Level, list[str]]:
    """The keywords of each level found in the description, in table order."""
    text = description.lower()
    return {level: [k for k in words if _contains(text, k)] for level, words in KEYWORDS.items()}


def _contains(text: str, keyword: str) -> bool:
    if keyword.isascii():
        return re.search(r"\b" + re.escape(keyword), text) is not None
    return keyword in text


def infer_level(description: str, dataset: DatasetStats) -> tuple[Level, Msg]:
    """The most likely level for `auto`, and a reason naming the signals that decided it."""
    if dataset.kind in ("preference", "kto"):
        what = rs.HOLDS_PAIRS() if dataset.kind == "preference" else rs.HOLDS_LABELS()
        return "preference", rs.LEVEL_PREFERENCE(what=what)
    hits = keyword_hits(description)
    signals = {
        lv: [s.describe(dataset) for s in DATA_SIGNALS if s.level == lv and s.applies(dataset)]
        for lv in SFT_LEVELS
    }
    scores = {
        lv: KEYWORD_WEIGHT * min(len(hits[lv]), MAX_KEYWORD_HITS) + len(signals[lv])
        for lv in SFT_LEVELS
    }
    best = max(SFT_LEVELS, key=lambda lv: (scores[lv], len(hits[lv]), PREFERENCE[lv]))
    if scores[best] == 0:
        return "L2", rs.LEVEL_DEFAULT()
    return best, _reason(best, hits[best], signals[best])


def _reason(level: Level, words: list[str], signals: list[Msg]) -> Msg:
    said = ", ".join(f'"{w}"' for w in words)
    title = rs.LEVEL_TITLE[level]()
    if words and signals:
        return rs.LEVEL_BOTH(level=level, title=title, words=said, signals=signals)
    if words:
        return rs.LEVEL_WORDS(level=level, title=title, words=said)
    return rs.LEVEL_SIGNALS(level=level, title=title, signals=signals)
