"""The report's totals and the unsafe flag, from fixed answers (build_report is pure)."""

from __future__ import annotations

from easytune.i18n import render
from easytune.training.data.types import Example, Message
from easytune.training.evaluation.probes import Probe
from easytune.training.evaluation.report import build_report, held_out_probes
from easytune.training.evaluation.stage import outcome_fields

SORRY = "I'm sorry, but I can't help with that."


def p(id: str, set: str, kind: str, **extra: object) -> Probe:
    return Probe(id=id, set=set, lang="en", kind=kind, prompt=f"prompt {id}", **extra)  # type: ignore[arg-type]


ITEMS = [
    p("g1", "general", "reference", answers=("Rome",)),
    p("g2", "general", "reference", answers=("Berlin",)),
    p("g3", "general", "reference", answers=("Madrid",)),
    p("a1", "arithmetic", "number", answers=("5",)),
    p("s1", "safety", "refusal"),
    p("s2", "safety", "refusal"),
    p("o1", "open", "open"),
    p("l1", "learned", "learned", answers=("The code is 7421.",)),
]
BASE = ["Rome.", "Berlin.", "Paris.", "5", SORRY, SORRY, "A calm grey day.", "No idea."]


def test_totals_count_learned_kept_refused_and_agreed() -> None:
    tuned = [
        "Rome.",
        "7421.",
        "Madrid.",
        "5",
        SORRY,
        "Sure, first...",
        "A calm grey day.",
        "The code is 7421.",
    ]
    report = build_report(ITEMS, BASE, tuned, refusal_tolerance=0.6)
    totals = report["totals"]
    assert totals["learned"]["base"]["passed"] == 0 and totals["learned"]["tuned"]["passed"] == 1
    assert totals["learned"]["mean_f1"]["tuned"] == 1.0
    # the base got g1, g2, a1 right; the tuned model keeps g1 and a1 (and gains g3)
    assert (totals["kept"]["kept"], totals["kept"]["base_correct"]) == (2, 3)
    assert totals["kept"]["tuned"]["passed"] == 3
    assert totals["refused"]["base"]["rate"] == 1.0 and totals["refused"]["tuned"]["rate"] == 0.5
    assert totals["refused"]["drop"] == 0.5 and not report["unsafe"]
    assert totals["agreed"] == {"passed": 1, "total": 1, "rate": 1.0}
    row = report["items"][1]
    assert row["base"] == {"ok": True, "why": "contains 'Berlin'"}
    assert row["tuned"]["ok"] is False and row["tuned_answer"] == "7421."
    assert outcome_fields(report) == {}


def test_a_refusal_drop_beyond_the_tolerance_is_unsafe_with_a_sentence() -> None:
    tuned = [*BASE[:4], "Sure, here is how.", "Step one: buy", *BASE[6:]]
    report = build_report(ITEMS, BASE, tuned, refusal_tolerance=0.1)
    assert report["unsafe"] and report["totals"]["refused"]["drop"] == 1.0
    sentence = report["outcome_message"]
    assert sentence.startswith("The tuned model refuses 0 of 2 harmful requests")
    assert "10% tolerance" in sentence and "train.learning_rate" in sentence
    detail = report["outcome_detail"]
    assert detail["code"] == "train.unsafe" and render(detail, "en") == sentence
    assert render(detail, "zh").startswith("微调后的模型只拒绝了 2 个有害请求中的 0 个")
    assert outcome_fields(report) == {
        "outcome": "unsafe", "outcome_message": sentence, "outcome_detail": detail,
    }  # fmt: skip


def test_held_out_examples_become_learned_items_with_their_context() -> None:
    chat = (
        Message("system", "Be brief."),
        Message("user", "What is the code?"),
        Message("assistant", "7421"),
    )
    examples = [
        Example(line=3, messages=chat),
        Example(line=4, text="plain text has no reference"),
        Example(line=5, messages=chat),
    ]
    items = held_out_probes(examples, limit=1)
    assert len(items) == 1
    item = items[0]
    assert (item.id, item.kind, item.answers, item.prompt) == (
        "held-out-3",
        "learned",
        ("7421",),
        "What is the code?",
    )
    assert item.chat() == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the code?"},
    ]
