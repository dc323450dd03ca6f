"""`easytune data check FILE`: validate a dataset file and show its token statistics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from easytune.cli.language import LANG_OPTION, WARNING
from easytune.i18n import Language, Msg, language_of, render
from easytune.training.data import messages as msg
from easytune.training.data.formats import FORMATS
from easytune.training.data.loader import load_dataset
from easytune.training.data.types import DataValidationError, LoadedDataset


def register(group: click.Group) -> None:
    """Add the `data` command group to the `easytune` CLI."""
    group.add_command(data)


@click.group("data")
def data() -> None:
    """Validate and inspect dataset files."""


@data.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(list(FORMATS)), help="Skip detection.")
@click.option(
    "--tokenizer",
    type=click.Path(exists=True, file_okay=False),
    help="A Hugging Face model folder: also report token statistics.",
)
@click.option("--max-length", default=1024, show_default=True, help="Tokens per example.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@LANG_OPTION
def check(
    path: Path,
    format_: str | None,
    tokenizer: str | None,
    max_length: int,
    as_json: bool,
    locale_name: str,
) -> None:
    """Validate PATH (JSON, JSONL, CSV, Parquet or .txt); exit 2 listing every bad line."""
    language = language_of(locale_name)
    try:
        loaded = load_dataset(path, format_)
    except DataValidationError as exc:
        _show(
            {"errors": [e.to_dict() for e in exc.errors], "truncated": exc.truncated},
            exc.render(language),
            as_json,
        )
        raise click.exceptions.Exit(2) from None
    summary = _summary(loaded)
    if tokenizer:
        summary["report"] = _report(loaded, tokenizer, max_length)
    _show(summary, _text(summary, language), as_json)


def _summary(loaded: LoadedDataset) -> dict[str, Any]:
    return {
        "format": loaded.format,
        "kind": loaded.kind,
        "source_format": loaded.source_format,
        "detected": loaded.detected,
        "examples": len(loaded),
        "notes": [str(n) for n in loaded.notes],
        "note_details": [n.to_dict() for n in loaded.notes],
        "warnings": [str(w) for w in loaded.warnings],
        "warning_details": [w.to_dict() for w in loaded.warnings],
    }


def _report(loaded: LoadedDataset, folder: str, max_length: int) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from easytune.training.data.report import dataset_report
    from easytune.training.data.template import ensure_chat_template

    tok = AutoTokenizer.from_pretrained(folder)
    ensure_chat_template(tok)
    return dataset_report(loaded.examples, tok, max_length, format=loaded.format).to_dict()


def _text(summary: dict[str, Any], language: Language = "en") -> str:
    """The summary as lines in `language`: coded notes and warnings rendered from code + params."""
    head = msg.CHECK_SUMMARY(
        examples=summary["examples"], format=summary["format"], kind=summary["kind"],
        source=summary["source_format"],
    )  # fmt: skip
    lines = [head.render(language), *_notes(summary, language)]
    report = summary.get("report")
    if report:
        lines += [_tokens(report).render(language), *_notes(report, language)]
    return "\n".join(lines)


def _notes(part: dict[str, Any], language: Language) -> list[str]:
    """A summary's or report's notes and warnings, indented, in `language`."""
    notes = [f"  {render(n, language)}" for n in part["note_details"]]
    warnings = part.get("warning_details", part.get("warnings", []))
    text = [render(w, language) for w in warnings]
    return notes + [f"  {WARNING(text=w).render(language)}" for w in text]


def _tokens(report: dict[str, Any]) -> Msg:
    s = report["stats"]
    return msg.CHECK_TOKENS(
        total=s["total_tokens"], p50=s["tokens_p50"], p95=s["tokens_p95"], max=s["tokens_max"],
        length=report["max_length"], truncated=report["truncated"],
        duplicates=report["duplicates"], languages=s["languages"],
    )  # fmt: skip


def _show(payload: dict[str, Any], text: str, as_json: bool) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2) if as_json else text)
