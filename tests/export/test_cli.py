"""`easytune export` without a server: the merged folder, and clear errors for bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from easytune.cli import main


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", *args])


def test_export_merged_from_the_cli(spm_llama_dir: Path, spm_adapter_dir: Path, tmp_path: Path):
    result = _run(
        str(spm_adapter_dir), "--base", str(spm_llama_dir), "--format", "merged",
        "--output", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "merged" / "config.json").is_file()
    assert "sha256" in result.output


def test_base_comes_from_the_adapter_config(spm_llama_dir: Path, spm_adapter_dir: Path, tmp_path):
    config = json.loads((spm_adapter_dir / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(spm_llama_dir)  # peft records the path
    result = _run(str(spm_adapter_dir), "--format", "merged", "--output", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "onnx"], "'onnx' is not one of"),
        (["--format", "gguf_lora", "--quantization", "q4_k_m"], "not valid for format"),
        (["--format", "merged", "--quantization", "q8_0"], "not valid for format"),
        (["--base", "/nowhere/model"], "/nowhere/model does not exist"),
    ],
)
def test_bad_options_are_named(spm_adapter_dir: Path, tmp_path: Path, args, message) -> None:
    result = _run(str(spm_adapter_dir), *args, "--output", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert message in result.output


def test_missing_base_is_named(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "org/m"}))
    result = _run(str(adapter), "--output", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "missing --base" in result.output and "'org/m'" in result.output


def test_a_folder_without_an_adapter_is_refused(spm_llama_dir: Path, tmp_path: Path) -> None:
    result = _run(str(tmp_path), "--base", str(spm_llama_dir), "--output", str(tmp_path / "o"))
    assert result.exit_code != 0
    assert "not a PEFT adapter folder" in result.output


def test_export_follows_the_locale(spm_llama_dir: Path, spm_adapter_dir: Path, tmp_path: Path):
    """Stage events, the files written and errors read in the locale's language (or --lang)."""
    args = ["export", str(spm_adapter_dir), "--base", str(spm_llama_dir), "--format", "merged"]
    env = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
    result = CliRunner().invoke(main, [*args, "--output", str(tmp_path / "zh")], env=env)
    assert result.exit_code == 0, result.output
    assert "[merge] 正在将适配器合并进其基础模型" in result.output
    assert "字节  sha256 " in result.output and "merging the adapter" not in result.output
    english = [*args, "--output", str(tmp_path / "en"), "--lang", "en"]
    result = CliRunner().invoke(main, english, env=env)
    assert "[merge] merging the adapter into its base" in result.output
    assert " bytes  sha256 " in result.output
    refused = CliRunner().invoke(
        main, ["export", str(tmp_path), "--base", str(spm_llama_dir), "--output", "o"], env=env
    )
    assert refused.exit_code != 0 and "错误：" in refused.output
