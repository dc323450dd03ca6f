"""`easytune export ADAPTER_DIR --base MODEL --format gguf --quantization q8_0 --output DIR`.

The same engine the worker's export jobs run, in this process, without a server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from easytune.cli.language import LANG_OPTION, error_lines
from easytune.i18n import Language, language_of, render
from easytune.i18n import template as t

FORMATS = ("merged", "gguf", "gguf_lora")
FILE_LINE = t("export.cli.file", "{path}  {size} bytes  sha256 {sha256}")
CHECK_LINE = t(
    "export.cli.check", "llama.cpp check: {equal}/{tokens} greedy tokens equal to transformers"
)
OLLAMA_LINE = t("export.cli.ollama", "ollama create NAME -f {path}")
QUANTIZATIONS = ("f16", "q8_0", "q4_k_m")


def base_from_adapter(adapter_dir: Path) -> str:
    """The base recorded in adapter_config.json when it is a path on this machine."""
    try:
        config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    recorded = config.get("base_model_name_or_path") or ""
    if recorded and Path(recorded).exists():
        return str(recorded)
    hint = f" (the adapter names {recorded!r}, which is not a path here)" if recorded else ""
    raise click.UsageError(
        f"missing --base: give the base model's Hugging Face folder or .gguf file{hint}"
    )


def build_spec(adapter: Path, base: str, fmt: str, quantization: str | None, output: Path) -> Any:
    """The validated ExportSpec, or a usage error naming the option to fix."""
    from easytune.export.errors import ExportSpecError
    from easytune.export.spec import ExportSpec, check_choice
    from easytune.training.spec import ModelRef

    if not Path(base).expanduser().exists():
        raise click.BadParameter(f"{base} does not exist", param_hint="--base")
    try:
        check_choice(fmt, quantization)
    except ExportSpecError as exc:
        raise click.BadParameter(exc.message, param_hint=f"--{exc.param}") from exc
    ref = ModelRef(path=str(Path(base).expanduser().resolve()))
    return ExportSpec(
        adapter_dir=str(adapter.resolve()),
        base=ref,
        format=fmt,
        quantization=quantization,
        output_dir=str(output.resolve()),
    )


def event_echo(language: Language) -> Any:
    """A progress listener printing each event, coded ones in `language`."""

    def echo(line: dict[str, Any]) -> None:
        if line.get("type") == "event":
            text = render(line, language) if line.get("code") else line["message"]
            click.echo(f"[{line['data'].get('stage', '')}] {text}", err=True)

    return echo


@click.command("export")
@click.argument("adapter_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base", default=None, help="Base model: Hugging Face folder or .gguf file.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="gguf", show_default=True,
    help="merged: HF folder; gguf: merged model as GGUF; gguf_lora: the adapter as GGUF LoRA.",
)  # fmt: skip
@click.option(
    "--quantization", type=click.Choice(QUANTIZATIONS), default=None,
    help="gguf: f16|q8_0|q4_k_m (q8_0); gguf_lora: f16|q8_0 (f16); merged: f16 or none.",
)  # fmt: skip
@click.option("--output", type=click.Path(path_type=Path), required=True, help="Output folder.")
@LANG_OPTION
def export_command(
    adapter_dir: Path,
    base: str | None,
    fmt: str,
    quantization: str | None,
    output: Path,
    locale_name: str,
) -> None:
    """Merge ADAPTER_DIR into its base, or convert it to GGUF / GGUF LoRA with llama.cpp."""
    from easytune.export.run import run_export
    from easytune.training.errors import EngineError
    from easytune.training.progress import ProgressWriter

    spec = build_spec(
        adapter_dir, base or base_from_adapter(adapter_dir), fmt, quantization, output
    )
    language = language_of(locale_name)
    progress = ProgressWriter(None, stream=None)
    progress.listeners.append(event_echo(language))
    try:
        result = run_export(spec, progress)
    except EngineError as exc:
        head, *rest = error_lines(exc, language)
        click.secho(head, fg="red", err=True)
        for line in rest:
            click.echo(line, err=True)
        sys.exit(exc.exit_code)
    click.echo("\n".join(summary_lines(result, language)))


def summary_lines(result: dict[str, Any], language: Language = "en") -> list[str]:
    """The files written (size, checksum), the llama.cpp check and the ollama line."""
    folder = Path(result["artifact_dir"])
    lines = [
        FILE_LINE(path=folder / i["name"], size=i["size"], sha256=i["sha256"]).render(language)
        for i in result["files"]
    ]
    check = result.get("verification")
    if check:
        equal, tokens = check["equal_prefix"], check["tokens"]
        lines.append(CHECK_LINE(equal=equal, tokens=tokens).render(language))
    if (folder / "Modelfile").is_file():
        lines.append(OLLAMA_LINE(path=folder / "Modelfile").render(language))
    return lines


def register(group: click.Group) -> None:
    """Attach `easytune export` to the `easytune` group."""
    group.add_command(export_command)
