"""The `easytune data check` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from easytune.cli import main
from easytune.cli.language import error_lines
from easytune.training.data import DataValidationError, load_dataset

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


def test_check_follows_the_locale_and_lang(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("w1 w2\n\nw3\n", encoding="utf-8")
    env = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
    chinese = CliRunner().invoke(main, ["data", "check", str(path)], env=env)
    assert chinese.exit_code == 0, chinese.output
    assert chinese.output.startswith("2 条样本，格式 text，类型 corpus（txt 文件）")
    assert "按空行分成 2 篇文档" in chinese.output and "blank lines" not in chinese.output
    english = CliRunner().invoke(main, ["data", "check", str(path), "--lang", "en"], env=env)
    assert "split into 2 documents separated by blank lines" in english.output
    as_json = json.loads(CliRunner().invoke(main, ["data", "check", str(path), "--json"]).output)
    assert as_json["note_details"][1] == {"code": "data.split_blank", "params": {"documents": 2}}
    assert as_json["notes"][1] == "split into 2 documents separated by blank lines"


MISSING_OUTPUT = {
    "en": "line 1: missing 'output' field; each Alpaca record needs 'instruction' and 'output'",
    "zh": "第 1 行：缺少 'output' 字段；每条 Alpaca 记录都需要 'instruction' 和 'output'",
}


def _bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"instruction": "q"}\n{"instruction": "q", "output": "a"}\n')
    return path


def test_bad_lines_follow_the_locale_and_lang(tmp_path):
    path = _bad_file(tmp_path)
    env = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
    chinese = CliRunner().invoke(main, ["data", "check", str(path)], env=env)
    assert chinese.exit_code == 2
    assert chinese.output.splitlines() == ["数据集有 1 个问题：", f"  {MISSING_OUTPUT['zh']}"]
    english = CliRunner().invoke(main, ["data", "check", str(path), "--lang", "en"], env=env)
    assert english.output.splitlines() == ["dataset has 1 problem(s):", f"  {MISSING_OUTPUT['en']}"]
    as_json = json.loads(CliRunner().invoke(main, ["data", "check", str(path), "--json"]).output)
    (error,) = as_json["errors"]
    assert error["message"] == MISSING_OUTPUT["en"]
    assert error["detail"]["params"]["problem"]["code"] == "data.with_fix"


def test_a_training_command_words_bad_lines_in_the_readers_language(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load_dataset(_bad_file(tmp_path))
    assert error_lines(info.value, "zh") == [f"错误：数据集有 1 个问题：\n  {MISSING_OUTPUT['zh']}"]
    assert error_lines(info.value, "en") == [f"error: {info.value}"]
