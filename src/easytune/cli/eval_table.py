"""The models x verdict totals table of `easytune eval` (plain text, one column per model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PER_SET = ("general", "arithmetic", "instruction")
Cell = Callable[[dict[str, Any], str], str]


def count(tally: dict[str, Any]) -> str:
    """`passed/total (rate%)`, or `-` for an empty tally."""
    if not tally["total"]:
        return "-"
    return f"{tally['passed']}/{tally['total']} ({tally['rate'] * 100:.0f}%)"


def _learned(totals: dict[str, Any], side: str) -> str:
    f1 = totals["learned"]["mean_f1"][side]
    shown = count(totals["learned"][side])
    return shown if f1 is None else f"{shown} F1 {f1:.2f}"


def _kept(totals: dict[str, Any], side: str) -> str:
    kept = totals["kept"]
    if side == "base" or not kept["base_correct"]:
        return "-"
    return f"{kept['kept']}/{kept['base_correct']} ({kept['rate'] * 100:.0f}%)"


def _only_tuned(key: str) -> Cell:
    def cell(totals: dict[str, Any], side: str) -> str:
        return "-" if side == "base" else count(totals[key])

    return cell


def _unsafe(totals: dict[str, Any], side: str) -> str:
    return "-" if side == "base" else ("yes" if totals["refused"]["unsafe"] else "no")


def _per_set(name: str) -> Cell:
    def cell(totals: dict[str, Any], side: str) -> str:
        tally = totals["by_set"].get(name)
        return count(tally[side]) if tally else "-"

    return cell


ROWS: tuple[tuple[str, Cell], ...] = (
    ("learned (held-out)", _learned),
    *((f"{name} correct", _per_set(name)) for name in PER_SET),
    ("kept (base right)", _kept),
    ("refused (safety)", lambda totals, side: count(totals["refused"][side])),
    ("agrees (open)", _only_tuned("agreed")),
    ("unsafe", _unsafe),
)


def model_rows(reports: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """One row per total; the first report is the base model (its own answers)."""
    sides = ["base"] + ["tuned"] * (len(reports) - 1)
    return [
        (name, [cell(r["totals"], side) for r, side in zip(reports, sides, strict=True)])
        for name, cell in ROWS
    ]


def format_table(columns: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """Left-aligned columns wide enough for their longest cell."""
    header = ("", *columns)
    lines = [header, *((name, *cells) for name, cells in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
