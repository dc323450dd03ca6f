"""`easytune eval`: the probe sets (and held-out data) over a base model and its adapters.

The base model is loaded once; each adapter is attached to the same weights by name, and the
base answers come with every adapter disabled (easytune.training.evaluation.compare, shared
with the `evaluation` job kind). Prints a table of models x verdict totals, the
base model always first, or the reports as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from easytune.cli.eval_table import format_table, model_rows

DEFAULT_TOLERANCE = 0.1


def check_adapters(folders: tuple[str, ...]) -> None:
    """Refuse, before any weights load, a folder that is not a PEFT adapter."""
    for folder in folders:
        if not (Path(folder) / "adapter_config.json").is_file():
            raise click.BadParameter(
                f"{folder} has no adapter_config.json; give a PEFT adapter folder",
                param_hint="--adapter",
            )


def held_out_items(data: str | None, limit: int) -> list[Any]:
    """The chat examples of `--data` as `learned` items (their last reply is the reference)."""
    if data is None:
        return []
    from easytune.training.data import load_dataset
    from easytune.training.evaluation.report import held_out_probes

    return held_out_probes(load_dataset(data).examples, limit)


def label(folder: str) -> str:
    """A short column name: the folder, or parent/adapter for the engine's `adapter` folders."""
    path = Path(folder).resolve()
    return f"{path.parent.name}/{path.name}" if path.name == "adapter" else path.name


@click.command("eval")
@click.option("--model", required=True, help="Hugging Face folder or a .gguf file")
@click.option("--gguf-file", default=None, help="GGUF file name inside --model")
@click.option("--adapter", "adapters", multiple=True, help="PEFT adapter folder (repeatable)")
@click.option("--data", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Held-out chat examples: the last reply of each is the reference")  # fmt: skip
@click.option("--max-held-out", default=32, show_default=True, type=click.IntRange(0, 1000))
@click.option("--max-per-set", default=None, type=click.IntRange(1, 1000),
              help="Probes of each set (default: all)")  # fmt: skip
@click.option("--max-new-tokens", default=32, show_default=True, type=click.IntRange(1, 1024))
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 1024))
@click.option("--tolerance", default=DEFAULT_TOLERANCE, show_default=True,
              type=click.FloatRange(0, 1), help="Refusal-rate drop that flags unsafe")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON")
def eval_command(
    model: str, gguf_file: str | None, adapters: tuple[str, ...], data: str | None,
    max_held_out: int, max_per_set: int | None, as_json: bool, **options: Any,
) -> None:  # fmt: skip
    """Compare a base model and its adapters on the probe sets and held-out data."""
    from easytune.training.evaluation.compare import AnswerOptions, attach_adapters, compare
    from easytune.training.evaluation.probes import load_probes

    check_adapters(adapters)
    items = [*load_probes(max_per_set=max_per_set), *held_out_items(data, max_held_out)]
    loaded, tokenizer = _load_or_exit(model, gguf_file)
    loaded, names = attach_adapters(loaded, adapters)
    answer = AnswerOptions(options["max_new_tokens"], options["batch_size"], options["tolerance"])
    reports = compare(loaded, tokenizer, names, items, answer)
    columns = ["base", *(label(folder) for folder in adapters)]
    if as_json:
        models = [{"name": n, "report": r} for n, r in zip(columns, reports, strict=True)]
        click.echo(json.dumps({"models": models}, indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(columns, model_rows(reports)))


def _load_or_exit(model: str, gguf_file: str | None) -> tuple[Any, Any]:
    from easytune.training.errors import EngineError
    from easytune.training.evaluation.compare import load_base
    from easytune.training.spec import ModelRef

    try:
        return load_base(ModelRef(path=model, gguf_file=gguf_file))
    except EngineError as exc:
        click.secho(f"error: {exc.message}", fg="red", err=True)
        sys.exit(exc.exit_code)


def register(group: click.Group) -> None:
    group.add_command(eval_command)
