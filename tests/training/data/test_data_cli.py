"""The `easytune data check` command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from easytune.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_check_prints_format_and_token_stats(tiny_llama_dir):
    path = FIXTURES / "sample_openai.jsonl"
    args = ["data", "check", str(path), "--tokenizer", str(tiny_llama_dir), "--max-length", "64"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 examples, format openai, kind chat (jsonl file)")
    assert "detected format 'openai'" in result.output and "tokens: total " in result.output


def test_check_lists_every_bad_line_as_json_and_exits_2(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"instruction": "q"}\n{"instruction": "q", "output": "a"}\n{"output": "a"}\n')
    result = CliRunner().invoke(main, ["data", "check", str(path), "--json"])
    assert result.exit_code == 2
    errors = json.loads(result.output)["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(1, "output"), (3, "instruction")]
