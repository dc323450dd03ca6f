"""`easytune export ADAPTER_DIR --base MODEL --format gguf --quantization q8_0 --output DIR`.

The same engine the worker's export jobs run, in this process, without a server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

FORMATS = ("merged", "gguf", "gguf_lora")
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


def _echo_event(line: dict[str, Any]) -> None:
    if line.get("type") == "event":
        click.echo(f"[{line['data'].get('stage', '')}] {line['message']}", err=True)


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
def export_command(
    adapter_dir: Path, base: str | None, fmt: str, quantization: str | None, output: Path
) -> None:
    """Merge ADAPTER_DIR into its base, or convert it to GGUF / GGUF LoRA with llama.cpp."""
    from easytune.export.run import run_export
    from easytune.training.errors import EngineError
    from easytune.training.progress import ProgressWriter

    spec = build_spec(
        adapter_dir, base or base_from_adapter(adapter_dir), fmt, quantization, output
    )
    progress = ProgressWriter(None, stream=None)
    progress.listeners.append(_echo_event)
    try:
        result = run_export(spec, progress)
    except EngineError as exc:
        click.secho(f"error: {exc.message}", fg="red", err=True)
        sys.exit(exc.exit_code)
    _summary(result)


def _summary(result: dict[str, Any]) -> None:
    folder = Path(result["artifact_dir"])
    for item in result["files"]:
        click.echo(f"{folder / item['name']}  {item['size']} bytes  sha256 {item['sha256']}")
    check = result.get("verification")
    if check:
        click.echo(
            f"llama.cpp check: {check['equal_prefix']}/{check['tokens']} greedy tokens equal "
            "to transformers"
        )
    if (folder / "Modelfile").is_file():
        click.echo(f"ollama create NAME -f {folder / 'Modelfile'}")


def register(group: click.Group) -> None:
    """Attach `easytune export` to the `easytune` group."""
    group.add_command(export_command)
