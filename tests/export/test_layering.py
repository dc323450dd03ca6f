"""The export engine stays below the platform: it imports nothing from api, core, db or jobs."""

from __future__ import annotations

import ast
from pathlib import Path

import easytune.export

FORBIDDEN = ("easytune.api", "easytune.core", "easytune.db", "easytune.jobs")


def test_the_export_engine_imports_no_platform_layer() -> None:
    folder = Path(easytune.export.__file__).parent
    found = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert found == []
