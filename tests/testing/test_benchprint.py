"""The shared bench output: a readable table and one JSON line a script can parse."""

from __future__ import annotations

import io
import json

import pytest

from easytune.testing.benchprint import PREFIX, emit, percentile, ratio, table


def test_emit_prints_a_table_summary_and_one_parsable_json_line() -> None:
    out = io.StringIO()
    rows = [{"method": "padded", "tok/s": 812.4}, {"method": "packed", "tok/s": 1490.25}]
    record = emit("packing", rows, summary={"packed / padded": 1.834}, notes=["busy"], stream=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "packing"
    assert lines[1].split() == ["method", "tok/s"]
    assert lines[3].startswith("padded") and lines[3].endswith("812.40")
    assert lines[4].endswith("1,490.25")  # numbers right-aligned, same width
    assert len(lines[3]) == len(lines[4])
    assert "packed / padded: 1.83" in lines and "note: busy" in lines
    json_lines = [line for line in lines if line.startswith(PREFIX)]
    assert len(json_lines) == 1 and lines[-1] == json_lines[0]
    parsed = json.loads(json_lines[0][len(PREFIX) :])
    assert parsed["rows"] == rows and parsed["summary"] == {"packed / padded": 1.834}
    assert parsed == json.loads(json.dumps(record)) and parsed["env"]["cpus"] >= 1


def test_missing_values_show_as_dashes_and_text_columns_align_left() -> None:
    text = table([{"a": "x", "b": None}, {"a": "longer", "b": 0.01234}])
    assert text.splitlines()[2].startswith("x       ")
    assert text.splitlines()[2].endswith("-") and text.splitlines()[3].endswith("0.0123")


def test_percentile_and_ratio() -> None:
    samples = [float(v) for v in range(1, 101)]
    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01, abs=0.01)
    assert percentile([3.0], 99) == 3.0
    assert ratio(3, 2) == 1.5 and ratio(1, 0) is None
    with pytest.raises(ValueError):
        percentile([], 50)
