"""docs/configuration.md cannot drift from the Settings model: every setting has a row, every
row is a setting, and each documented default is the model's."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic_core import PydanticUndefined

from easytune.settings import ENV_PREFIX, Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
# A table row: | `EASYTUNE_NAME` | default | description |
ROW = re.compile(r"^\| `" + ENV_PREFIX + r"([A-Z0-9_]+)` \| ([^|]*) \|", re.M)


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for name, default in ROW.findall(DOC.read_text(encoding="utf-8")):
        assert name.lower() not in rows, f"EASYTUNE_{name} has two rows in {DOC.name}"
        rows[name.lower()] = default.strip()
    return rows


def _shown(value: object) -> str | None:
    """How the documentation writes a model default; None where it is prose (empty, derived)."""
    if value is None or value == "" or value is PydanticUndefined:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Path):
        return f"./{value}" if not value.is_absolute() else str(value)
    return str(value)


def test_every_setting_has_a_row_and_every_row_is_a_setting() -> None:
    documented, fields = set(_rows()), set(Settings.model_fields)
    missing = sorted(f"{ENV_PREFIX}{name.upper()}" for name in fields - documented)
    stale = sorted(f"{ENV_PREFIX}{name.upper()}" for name in documented - fields)
    assert not missing, f"add a row to docs/configuration.md for {missing}"
    assert not stale, f"docs/configuration.md documents settings that do not exist: {stale}"


def test_documented_defaults_are_the_model_defaults() -> None:
    wrong = {}
    for name, cell in _rows().items():
        shown = _shown(Settings.model_fields[name].default)
        if shown is not None and not cell.startswith(f"`{shown}`"):
            wrong[f"{ENV_PREFIX}{name.upper()}"] = (cell, f"`{shown}`")
    assert not wrong, f"documented default differs from Settings (doc, model): {wrong}"
