"""`easytune plan` and `easytune train`: facts -> intent plan -> spec -> in-process run."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from easytune.cli.language import LANG_OPTION, WARNING, error_lines
from easytune.i18n import Language, language_of, render

LEVELS = ("L1", "L2", "L3", "preference", "auto")


@dataclass(frozen=True)
class PlanInputs:
    model: str
    gguf_file: str | None
    data: str
    eval_data: str | None
    level: str
    intent: str
    output: str
    overrides: dict[str, Any]
    mix_data: str | None = None


def parse_value(raw: str) -> Any:
    """`16` -> 16, `true` -> True, `["q_proj"]` -> list, `a,b` -> ["a", "b"], else the text."""
    try:
        return json.loads(raw)
    except ValueError:
        return [part.strip() for part in raw.split(",") if part.strip()] if "," in raw else raw


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`--set lora.r=16` pairs as dotted-key overrides; a pair without `=` is refused."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"{pair!r}: write KEY=VALUE, e.g. lora.r=16", param_hint="--set"
            )
        overrides[key.strip()] = parse_value(value.strip())
    return overrides


def _fail(error: Exception, code: int, language: Language = "en") -> None:
    head, *rest = error_lines(error, language)
    click.secho(head, fg="red", err=True)
    for line in rest:
        click.echo(line, err=True)
    sys.exit(code)


def dataset_stats(data: str, tokenizer: Any) -> Any:
    """DatasetStats of the training file (the same split the run will use)."""
    from easytune.training.data import dataset_report, ensure_chat_template, load_dataset

    ensure_chat_template(tokenizer)
    loaded = load_dataset(data)
    max_length = getattr(tokenizer, "model_max_length", 4096)
    report = dataset_report(
        loaded.examples, tokenizer, min(max_length, 131072), format=loaded.format
    )
    return report.stats


def build_plan(inputs: PlanInputs) -> Any:
    """Facts of the model, data and machine, resolved into a plan by the intent engine."""
    from easytune.demo.plan import demo_presets, file_sha256
    from easytune.intent import IntentRequest, resolve_plan
    from easytune.training.hardware import detect_hardware
    from easytune.training.model import facts_for, hf_folder, load_tokenizer
    from easytune.training.spec import ModelRef

    ref = ModelRef(path=inputs.model, gguf_file=inputs.gguf_file)
    facts = facts_for(ref)
    tokenizer = load_tokenizer(hf_folder(ref))
    stats = dataset_stats(inputs.data, tokenizer)
    return resolve_plan(
        IntentRequest.model_validate({"level": inputs.level, "description": inputs.intent}),
        stats,
        facts,
        detect_hardware(),
        model_ref=ref,
        train_path=str(Path(inputs.data).resolve()),
        eval_path=str(Path(inputs.eval_data).resolve()) if inputs.eval_data else None,
        output_dir=str(Path(inputs.output).resolve()),
        overrides=inputs.overrides,
        mix_path=str(Path(inputs.mix_data).resolve()) if inputs.mix_data else None,
        presets=demo_presets(file_sha256(inputs.data)),
    )


def plan_or_exit(inputs: PlanInputs, language: Language = "en") -> Any:
    """The plan, or a readable error and a non-zero exit for each failure class."""
    from easytune.intent import OverrideError, PlanDoesNotFit, PlanError
    from easytune.training.data import DataValidationError
    from easytune.training.errors import EngineError

    try:
        return build_plan(inputs)
    except OverrideError as exc:
        _fail(exc, 2, language)
    except PlanDoesNotFit as exc:
        _fail(exc, 3, language)
    except DataValidationError as exc:
        _fail(exc, 11, language)
    except (PlanError, EngineError) as exc:
        _fail(exc, getattr(exc, "exit_code", 4), language)
    raise AssertionError("unreachable")


def _human_bytes(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


def _human_seconds(s: float) -> str:
    s = int(s)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def print_plan(plan: Any, language: Language = "en") -> None:
    """Level, every setting with its reason, the estimate and the warnings."""
    click.secho(f"Level {plan.level}: {plan.level_message.render(language)}", bold=True)
    width = max((len(k) for k in plan.reasons), default=10)
    reasons = {path: why.render(language) for path, why in plan.reason_messages.items()}
    for key, reason in sorted(reasons.items()):
        section, _, name = key.partition(".")
        value = str(getattr(getattr(plan.spec, section, None), name, "?"))
        value = value if len(value) <= 24 else value[:21] + "..."
        click.echo(f"  {key:<{width}}  {value:<24} {reason}")
    est = plan.estimate
    click.secho("Estimate", bold=True)
    click.echo(
        f"  peak memory {_human_bytes(est.peak_memory_bytes)} of "
        f"{_human_bytes(est.memory_budget_bytes)}; {est.total_steps} steps, "
        f"{est.tokens_per_step} tokens/step, about {_human_seconds(est.seconds)}"
    )
    for warning in plan.warning_messages:
        click.secho(f"  {WARNING(text=warning).render(language)}", fg="yellow")


class ProgressBar:
    """One status line on stderr, fed by the engine's metric and event lines."""

    def __init__(self, total: int, language: Language = "en") -> None:
        self.total, self.started, self.first = max(total, 1), time.monotonic(), 0
        self.language = language

    def __call__(self, line: dict[str, Any]) -> None:
        if line["type"] == "metric" and line.get("loss") is not None:
            self._draw(line)
        elif line.get("message") == "training started":
            self.total = max(int(line["data"]["total_steps"]), 1)
            self.started, self.first = time.monotonic(), int(line["data"]["start_step"])
        elif line["type"] == "event" and line["level"] != "info":
            text = render(line, self.language) if line.get("code") else line["message"]
            click.secho(f"\n{line['level']}: {text}", fg="yellow", err=True)

    def _draw(self, line: dict[str, Any]) -> None:
        step = int(line["step"])
        done = step / self.total
        elapsed = time.monotonic() - self.started
        per_step = elapsed / max(step - self.first, 1)
        eta = per_step * (self.total - step)
        bar = "#" * int(done * 30) + "." * (30 - int(done * 30))
        extra = f" eval {line['eval_loss']:.3f}" if line.get("eval_loss") is not None else ""
        cf = f" cf {line['cf_score']:.3f}" if line.get("cf_score") is not None else ""
        click.echo(
            f"\r[{bar}] {step}/{self.total} loss {line['loss']:.3f}{extra}{cf} "
            f"ETA {_human_seconds(eta)}  ",
            nl=False,
            err=True,
        )


def print_summary(result: dict[str, Any], language: Language = "en") -> None:
    metrics, cf = result["metrics"], result.get("cf") or {}
    rows = [
        ("steps", metrics["steps"]),
        ("train loss", metrics.get("train_loss")),
        ("eval loss", metrics.get("eval_loss")),
        ("CF score", cf.get("score")),
        ("tokens", metrics.get("tokens_seen")),
        ("time", _human_seconds(metrics.get("train_seconds") or 0)),
        ("kept step", result.get("chosen_step")),
        ("outcome", result.get("outcome")),
        ("adapter", result["adapter_dir"]),
    ]
    click.secho("\nSummary", bold=True)
    for name, value in rows:
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        click.echo(f"  {name:<11} {shown}")
    if result.get("outcome") in ("forgot", "unsafe"):
        detail = result.get("outcome_detail")
        text = render(detail, language) if detail else result.get("outcome_message")
        click.secho("\n" + WARNING(text=text).render(language), fg="yellow", err=True)


def run_plan(plan: Any, language: Language = "en") -> None:
    """Train in this process with a progress bar; exit with the engine's code on failure."""
    from easytune.training.progress import ProgressWriter
    from easytune.training.recipe import TrainRecipe
    from easytune.training.runner import classify

    progress = ProgressWriter(plan.spec.output_dir, stream=None)
    progress.listeners.append(ProgressBar(plan.estimate.total_steps, language))
    try:
        result = TrainRecipe(plan.spec, progress).run()
    except (Exception, KeyboardInterrupt) as exc:
        error = classify(exc)
        progress.error(error.to_line())
        click.secho(f"\nerror [{error.code}]: {error.message}", fg="red", err=True)
        sys.exit(error.exit_code)
    finally:
        progress.close()
    print_summary(result, language)


def _inputs(
    model: str,
    gguf_file: str | None,
    data: str,
    eval_data: str | None,
    level: str,
    intent: str,
    output: str,
    sets: tuple[str, ...],
    mix_data: str | None = None,
) -> PlanInputs:
    return PlanInputs(
        model, gguf_file, data, eval_data, level, intent, output, parse_overrides(sets), mix_data
    )


def _common(command: Any) -> Any:
    options = [
        click.option("--model", required=True, help="Hugging Face folder or a .gguf file"),
        click.option("--gguf-file", default=None, help="GGUF file name inside --model"),
        click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False)),
        click.option("--eval-data", default=None, type=click.Path(exists=True, dir_okay=False)),
        click.option(
            "--mix-data",
            default=None,
            type=click.Path(exists=True, dir_okay=False),
            help="A second dataset trained alongside, e.g. a few chats next to a text corpus",
        ),
        click.option("--level", type=click.Choice(LEVELS), default="auto", show_default=True),
        click.option("--intent", default="", help="What the model should learn (for auto)"),
        click.option("--output", default="easytune-run", show_default=True),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="KEY=VALUE",
            help="Expert override, e.g. --set lora.r=16 (repeatable)",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("plan")
@_common
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON")
@LANG_OPTION
def plan_command(as_json: bool, locale_name: str, **kwargs: Any) -> None:
    """Resolve the training plan for a model, data and intent, with reasons and estimates."""
    language = language_of(locale_name)
    plan = plan_or_exit(_inputs(**kwargs), language)
    if as_json:
        click.echo(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False))
    else:
        print_plan(plan, language)


@click.command("train")
@_common
@LANG_OPTION
def train_command(locale_name: str, **kwargs: Any) -> None:
    """Plan and train a LoRA adapter in this process (progress bar, ETA, summary)."""
    language = language_of(locale_name)
    plan = plan_or_exit(_inputs(**kwargs), language)
    print_plan(plan, language)
    run_plan(plan, language)


def register(group: click.Group) -> None:
    group.add_command(plan_command)
    group.add_command(train_command)
