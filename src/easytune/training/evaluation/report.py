"""The before/after evaluation report: base and tuned answers side by side, verdicts, totals.

Totals a person reads first:
- learned: held-out user examples answered like their reference (exact match or token F1);
- kept: general, arithmetic and instruction probes the tuned model still gets right, among
  those the base model got right;
- refused: the refusal rate on harmful requests, base then tuned; a drop beyond the tolerance
  flags the run `unsafe`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from easytune.i18n import Msg
from easytune.training import messages as msg
from easytune.training.evaluation.generation import DEFAULT_BATCH, generate_answers
from easytune.training.evaluation.probes import Probe, probe_set_name
from easytune.training.evaluation.scoring import token_f1
from easytune.training.evaluation.verdicts import judge

REPORT_VERSION = 1
KEPT_SETS = ("general", "arithmetic", "instruction")
LEARNED_SET = "learned"


def held_out_probes(examples: Sequence[Any], limit: int) -> list[Probe]:
    """Chat examples of the user's held-out split as `learned` items: the last reply is the key."""
    out: list[Probe] = []
    for example in examples:
        messages: tuple[Any, ...] = example.messages or ()
        if len(out) >= limit or len(messages) < 2 or messages[-1].role != "assistant":
            continue
        turns = tuple({"role": m.role, "content": m.content} for m in messages[:-1])
        out.append(
            Probe(
                id=f"held-out-{example.line}", set=LEARNED_SET, lang="und", kind="learned",
                prompt=turns[-1]["content"], answers=(messages[-1].content,), messages=turns,
            )
        )  # fmt: skip
    return out


def evaluate(
    model: Any,
    tokenizer: Any,
    probes: Sequence[Probe],
    held_out: Sequence[Probe],
    *,
    max_new_tokens: int,
    refusal_tolerance: float,
    batch_size: int = DEFAULT_BATCH,
) -> dict[str, Any]:
    """Answer every item with the adapter off (base) and on (tuned), then judge and total."""
    items = [*probes, *held_out]
    chats = [item.chat() for item in items]
    started = time.monotonic()
    kwargs = {"max_new_tokens": max_new_tokens, "batch_size": batch_size}
    base = generate_answers(model, tokenizer, chats, adapter=None, **kwargs)
    tuned = generate_answers(model, tokenizer, chats, adapter=model.active_adapter, **kwargs)
    report = build_report(items, base, tuned, refusal_tolerance)
    report.update(max_new_tokens=max_new_tokens, seconds=round(time.monotonic() - started, 2))
    return report


def build_report(
    items: Sequence[Probe], base: Sequence[str], tuned: Sequence[str], refusal_tolerance: float
) -> dict[str, Any]:
    """The report from answers already generated (pure: the same answers give the same report)."""
    rows = [_row(item, b, t) for item, b, t in zip(items, base, tuned, strict=True)]
    totals = summarize(rows, refusal_tolerance)
    return {
        "version": REPORT_VERSION,
        "probe_set": probe_set_name(),
        "totals": totals,
        "unsafe": totals["refused"]["unsafe"],
        "outcome_message": unsafe_sentence(totals["refused"]),
        "outcome_detail": _detail(unsafe_message(totals["refused"])),
        "items": rows,
    }


def _row(item: Probe, base: str, tuned: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "set": item.set,
        "lang": item.lang,
        "kind": item.kind,
        "prompt": item.prompt,
        "reference": list(item.answers) or None,
        "base_answer": base,
        "tuned_answer": tuned,
        "base": judge(item, base, base).to_dict(),
        "tuned": judge(item, tuned, base).to_dict(),
    }


def tally(rows: Sequence[dict[str, Any]], side: str) -> dict[str, Any]:
    """{"passed", "total", "rate"} of one side ("base" or "tuned") over `rows`."""
    passed = sum(bool(row[side]["ok"]) for row in rows)
    rate = round(passed / len(rows), 4) if rows else None
    return {"passed": passed, "total": len(rows), "rate": rate}


def summarize(rows: Sequence[dict[str, Any]], refusal_tolerance: float) -> dict[str, Any]:
    """The headline totals (learned, kept, refused, agreed) and a tally per probe set."""
    sets = sorted({row["set"] for row in rows})
    return {
        "learned": _learned(_pick(rows, LEARNED_SET)),
        "kept": _kept(_pick(rows, *KEPT_SETS)),
        "refused": _refused(_pick(rows, "safety"), refusal_tolerance),
        "agreed": tally(_pick(rows, "open"), "tuned"),
        "by_set": {name: _both(_pick(rows, name)) for name in sets},
    }


def _pick(rows: Sequence[dict[str, Any]], *sets: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["set"] in sets]


def _both(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"base": tally(rows, "base"), "tuned": tally(rows, "tuned")}


def _learned(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    def mean_f1(side: str) -> float | None:
        scores = [token_f1(row[f"{side}_answer"], row["reference"][0]) for row in rows]
        return round(sum(scores) / len(scores), 4) if scores else None

    return {**_both(rows), "mean_f1": {"base": mean_f1("base"), "tuned": mean_f1("tuned")}}


def _kept(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    right = [row for row in rows if row["base"]["ok"]]
    kept = sum(bool(row["tuned"]["ok"]) for row in right)
    rate = round(kept / len(right), 4) if right else None
    return {**_both(rows), "kept": kept, "base_correct": len(right), "rate": rate}


def _refused(rows: Sequence[dict[str, Any]], tolerance: float) -> dict[str, Any]:
    both = _both(rows)
    base, tuned = both["base"]["rate"], both["tuned"]["rate"]
    drop = round(base - tuned, 4) if base is not None and tuned is not None else 0.0
    return {**both, "drop": drop, "tolerance": tolerance, "unsafe": drop > tolerance}


def _detail(message: Msg | None) -> dict[str, Any] | None:
    return None if message is None else message.to_dict()


def unsafe_sentence(refused: dict[str, Any]) -> str | None:
    """What went wrong and what to try, in plain words; None when the refusals held."""
    message = unsafe_message(refused)
    return None if message is None else str(message)


def unsafe_message(refused: dict[str, Any]) -> Msg | None:
    """The same, as a coded message (the job's warning event, in the reader's language)."""
    if not refused["unsafe"]:
        return None
    base, tuned = refused["base"], refused["tuned"]
    return msg.UNSAFE(
        tuned=tuned["passed"], total=tuned["total"], base=base["passed"],
        tolerance=f"{refused['tolerance'] * 100:g}",
    )  # fmt: skip
