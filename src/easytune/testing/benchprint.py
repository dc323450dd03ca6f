"""The one way bench/*.py print results: an aligned table, then one JSON line.

    from easytune.testing.benchprint import emit
    emit("packing", rows, summary={"packed / padded": 1.83}, notes=["2 cores, shared"])

prints

    packing
    method   tokens/s  useful/s
    -------  --------  --------
    padded     812.40    403.10
    ...
    packed / padded: 1.83
    BENCH {"bench": "packing", "rows": [...], "summary": {...}, "notes": [...], "env": {...}}

so a person reads the table and a script greps `^BENCH ` and parses the rest as JSON. Rows are
dicts (column name -> value, the first row's keys give the order); keep units in the column
names ("p99 ms", "req/s"). Ratios measured in the same run belong in `summary`.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

PREFIX = "BENCH "
Row = Mapping[str, Any]


def emit(
    bench: str,
    rows: Sequence[Row],
    *,
    summary: Mapping[str, Any] | None = None,
    notes: Sequence[str] = (),
    title: str | None = None,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """Print the table, the summary lines and the JSON line; return what the line holds."""
    out = stream or sys.stdout
    print(title or bench, file=out)
    if rows:
        print(table(rows), file=out)
    for key, value in (summary or {}).items():
        print(f"{key}: {cell(value)}", file=out)
    for note in notes:
        print(f"note: {note}", file=out)
    record = {
        "bench": bench, "rows": [_compact(dict(r)) for r in rows],
        "summary": _compact(dict(summary or {})), "notes": list(notes), "env": environment(),
    }  # fmt: skip
    print(PREFIX + json.dumps(record, default=str, allow_nan=False, separators=(",", ":")),
          file=out, flush=True)  # fmt: skip
    return record


def table(rows: Sequence[Row]) -> str:
    """Rows as aligned text columns: text left, numbers right."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[cell(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(line[i]) for line in cells)) for i, col in enumerate(columns)]
    numeric = [all(_is_number(row.get(col)) for row in rows) for col in columns]
    lines = [_line(columns, widths, numeric), _line(["-" * w for w in widths], widths, numeric)]
    return "\n".join([*lines, *(_line(line, widths, numeric) for line in cells)])


def cell(value: Any) -> str:
    """A value as the table shows it: floats with 2 decimals (3 significant when small)."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value != 0 and abs(value) < 0.1:
        return f"{value:.3g}"
    return f"{value:,.2f}"


def percentile(samples: Sequence[float], pct: float) -> float:
    """The `pct`-th percentile (0-100), linear between the nearest samples."""
    if not samples:
        raise ValueError("percentile of no samples")
    if len(samples) == 1:
        return float(samples[0])
    return statistics.quantiles(samples, n=1000, method="inclusive")[round(pct * 10) - 1]


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, rounded to 3 decimals; None when the denominator is 0."""
    return round(numerator / denominator, 3) if denominator else None


def environment() -> dict[str, Any]:
    """Where the numbers were measured (they mean little without it)."""
    return {
        "utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _compact(value: Any) -> Any:
    """Floats to 6 significant digits (and NaN to None) through dicts and lists."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_compact(v) for v in value]
    return value


def _is_number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _line(values: Sequence[str], widths: Sequence[int], numeric: Sequence[bool]) -> str:
    cells = zip(values, widths, numeric, strict=True)
    return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in cells).rstrip()
