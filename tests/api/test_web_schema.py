"""The web client's committed API schema is the one the backend produces."""

from __future__ import annotations

import json
from pathlib import Path

from easytune.cli.platform import openapi_schema

WEB_SCHEMA = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_web_openapi_json_matches_the_backend() -> None:
    committed = json.loads(WEB_SCHEMA.read_text(encoding="utf-8"))
    assert committed == openapi_schema(), (
        "web/openapi.json is not what the backend produces: run `make web-schema` "
        "(it also regenerates web/src/api/schema.d.ts), then fix what `npm run typecheck` reports"
    )
