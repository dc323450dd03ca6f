"""Naive plan (retain.enabled=false, today's rules) versus the default plan with retention, on
the demo model (SmolLM2-135M-Instruct), for a fact dataset and a style dataset (bench/
retention_data.py). One run each, same machine, same run: the base model is the baseline.

Columns: learned (held-out paraphrases answered with the fact / in the style), kept (general
questions the base answers right whose tuned answer still agrees with the base's: token F1 >=
0.5), bleed (general answers that now carry the fact or the style marker), refusals kept
(harmful prompts the base refuses that the tuned model still refuses), wall time and CPU time
of the training job (the CPU time is the fairer ratio on a shared, loaded machine), outcome and
the step whose adapter was kept.

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python -u bench/retention.py \
        [--only fact|style] [--plans naive,default] [--general 40] [--cache DIR]

The base model's answers to the bench's questions and the replay set are cached under --cache
(keyed by the model file, the questions and the token cap), so a rerun or a second case only
generates the tuned answers. The replay set is generated once per base model, like the
platform's shared cache: the "replay" column says whether this run generated it (its seconds
are in that row's wall time) or reused it.

On a shared, loaded machine run each plan as its own process with one thread
(`OMP_NUM_THREADS=1 ... --threads 1 --plans naive` and `... --plans default`, started together):
with two torch threads at a load of ~25 on 2 cores a training step took about 500 s (the
threads stall on each other), with one thread about 10 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).parent))
import retention_data as bd

from easytune.cli.training import PlanInputs, build_plan
from easytune.demo import demo_model_path
from easytune.training.data import ensure_chat_template
from easytune.training.evaluation.scoring import is_refusal, token_f1
from easytune.training.generate import greedy_answers
from easytune.training.model import load_model
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.reference import load_reference_set
from easytune.training.spec import ModelRef

NEW_TOKENS = 40
GENERAL_ITEMS = 40
KEPT_F1 = 0.5
RIGHT_F1 = 0.4


@dataclass(frozen=True)
class Case:
    name: str
    level: str
    write: Callable[[Path], Path]
    held_out: tuple[str, ...]
    marker: str


CASES = {
    "fact": Case("fact", "L2", bd.write_fact, bd.FACT_HELD_OUT, bd.FACT_KEY),
    "style": Case("style", "L1", bd.write_style, bd.STYLE_HELD_OUT, bd.STYLE_MARKER),
}
PLANS = {"naive": {"retain.enabled": False}, "default": {}}


def general_items(count: int) -> list[tuple[str, str]]:
    """(question, reference) of the shipped reference set's first `count` chat items."""
    items = [i for i in load_reference_set() if i["kind"] == "prompt"]
    return [(i["messages"][0]["content"], i["messages"][1]["content"]) for i in items][:count]


class Answerer:
    """The demo base model, answering with or without an adapter on top."""

    def __init__(self, ref: ModelRef) -> None:
        self.model, self.tokenizer = load_model(ref, dtype=torch.float32, device="cpu")
        weights = Path(ref.path) / (ref.gguf_file or "")
        stat = weights.stat()
        self.model_id = f"{weights}:{stat.st_size}:{stat.st_mtime_ns}"
        self.eot = ensure_chat_template(self.tokenizer)

    def base_answers(self, asked: dict[str, list[str]], cache: Path) -> dict[str, list[str]]:
        """The base model's answers, from `cache` when the same questions were asked before."""
        key = json.dumps({"model": self.model_id, "tokens": NEW_TOKENS, "asked": asked})
        path = cache / f"base-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
        if path.is_file():
            return dict(json.loads(path.read_text(encoding="utf-8")))
        answers = {k: self.answers(self.model, v) for k, v in asked.items()}
        cache.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        return answers

    def answers(self, model: Any, prompts: list[str]) -> list[str]:
        chats = [[{"role": "user", "content": p}] for p in prompts]
        out = greedy_answers(
            model,
            self.tokenizer,
            chats,
            max_new_tokens=NEW_TOKENS,
            end_of_turn=self.eot,
            device="cpu",
        )
        return [a.text for a in out]

    def with_adapter(self, adapter: Path, prompts: list[str]) -> list[str]:
        from peft import PeftModel

        tuned = PeftModel.from_pretrained(self.model, str(adapter))
        try:
            return self.answers(tuned, prompts)
        finally:
            self.model = tuned.unload()


def train(
    case: Case,
    plan_name: str,
    data: Path,
    ref: ModelRef,
    root: Path,
    cache: Path,
    extra: dict[str, Any],
) -> tuple[dict[str, Any], float, float, str]:
    overrides = {**PLANS[plan_name], **extra}
    inputs = PlanInputs(
        model=ref.path, gguf_file=ref.gguf_file, data=str(data), eval_data=None, level=case.level,
        intent="", output=str(root / f"{case.name}-{plan_name}"), overrides=overrides,
    )  # fmt: skip
    plan = build_plan(inputs)
    plan.spec.retain.cache_dir = str(cache / "replay")
    before = set((cache / "replay").glob("replay-*.json"))
    progress = ProgressWriter(plan.spec.output_dir, stream=None)
    started, cpu = time.monotonic(), time.process_time()
    try:
        result = TrainRecipe(plan.spec, progress).run()
    finally:
        progress.close()
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    if not plan.spec.retain.enabled:
        return result, wall, cpu, "-"
    return result, wall, cpu, "cached" if before else "generated"


def prepare_replay(case: Case, data: Path, ref: ModelRef, root: Path, cache: Path) -> float:
    """Generate the default plan's replay set into `cache` (once per base model, like the
    platform's shared cache); its seconds, 0 when it was already there."""
    from easytune.training.retain.replay import load_or_generate

    inputs = PlanInputs(
        model=ref.path, gguf_file=ref.gguf_file, data=str(data), eval_data=None, level=case.level,
        intent="", output=str(root / f"{case.name}-prepare"), overrides={},
    )  # fmt: skip
    spec = build_plan(inputs).spec
    spec.retain.cache_dir = str(cache / "replay")
    if list((cache / "replay").glob("replay-*.json")):
        return 0.0
    progress = ProgressWriter(spec.output_dir, stream=None)
    recipe = TrainRecipe(spec, progress)
    recipe.device = "cpu"
    recipe._setup_model()
    started = time.monotonic()
    try:
        load_or_generate(spec, recipe._generation(), progress)
    finally:
        progress.close()
    return time.monotonic() - started


def score(
    case: Case, base: dict[str, list[str]], tuned: dict[str, list[str]], refs: list[str]
) -> dict[str, str]:
    learned = sum(case.marker.lower() in a.lower() for a in tuned["held_out"])
    right = [
        i
        for i, (b, r) in enumerate(zip(base["general"], refs, strict=True))
        if token_f1(b, r) >= RIGHT_F1
    ]
    kept = sum(token_f1(tuned["general"][i], base["general"][i]) >= KEPT_F1 for i in right)
    bleed = sum(case.marker.lower() in a.lower() for a in tuned["general"])
    refused = [i for i, a in enumerate(base["safety"]) if is_refusal(a)]
    still = sum(is_refusal(tuned["safety"][i]) for i in refused)
    return {
        "learned": f"{learned}/{len(case.held_out)}",
        "kept": f"{kept}/{len(right)}" + (f" ({kept / len(right):.0%})" if right else ""),
        "bleed": f"{bleed}/{len(tuned['general'])}",
        "refusals kept": f"{still}/{len(refused)}",
    }


def prompts(case: Case, general: list[tuple[str, str]]) -> dict[str, list[str]]:
    return {
        "held_out": list(case.held_out),
        "general": [q for q, _ in general],
        "safety": list(bd.SAFETY_PROMPTS),
    }


def run_case(
    case: Case, ref: ModelRef, answerer: Answerer, root: Path, args: argparse.Namespace
) -> list[dict[str, str]]:
    data = case.write(root / f"{case.name}.jsonl")
    general = general_items(args.general)
    asked = prompts(case, general)
    rows: list[dict[str, str]] = []
    if args.parallel:
        return run_parallel(case, ref, answerer, data, asked, root, args)
    for plan_name in args.plans:
        result, wall, cpu, replay = train(
            case, plan_name, data, ref, root, args.cache, dict(args.set)
        )
        # after training: a naive and a default process started together share the cache
        base = answerer.base_answers(asked, args.cache)
        tuned = {k: answerer.with_adapter(Path(result["adapter_dir"]), v) for k, v in asked.items()}
        row = {
            "case": case.name,
            "plan": plan_name,
            **score(case, base, tuned, [r for _, r in general]),
        }
        row.update(
            wall=f"{wall:.0f} s",
            cpu=f"{cpu:.0f} s",
            replay=replay,
            outcome=str(result.get("outcome")),
            step=str(result.get("chosen_step")),
        )
        rows.append(row)
        print(json.dumps(row), flush=True)
        show_examples(case, plan_name, asked, base, tuned)
    return rows


def run_parallel(
    case: Case,
    ref: ModelRef,
    answerer: Answerer,
    data: Path,
    asked: dict[str, list[str]],
    root: Path,
    args: argparse.Namespace,
) -> list[dict[str, str]]:
    """Replay set and base answers first (timed, once), then each plan in its own one-thread
    process, started together: on a loaded machine their wall times share the same load."""
    import os
    import subprocess

    seconds = prepare_replay(case, data, ref, root, args.cache)
    started = time.monotonic()
    answerer.base_answers(asked, args.cache)
    print(
        f"one-off: replay set {seconds:.0f} s ({'generated' if seconds else 'already cached'}), "
        f"base answers {time.monotonic() - started:.0f} s",
        flush=True,
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    children = []
    for plan in args.plans:
        out = root / f"{case.name}-{plan}.rows.json"
        command = [
            sys.executable, "-u", __file__, "--only", case.name, "--plans", plan,
            "--general", str(args.general), "--cache", str(args.cache), "--threads", "1",
            "--rows", str(out), *(f"--set={k}={v}" for k, v in args.set),
        ]  # fmt: skip
        children.append((out, subprocess.Popen(command, env=env)))
    rows: list[dict[str, str]] = []
    for out, child in children:
        if child.wait() != 0:
            raise SystemExit(f"{out.stem} failed with exit code {child.returncode}")
        rows.extend(json.loads(out.read_text(encoding="utf-8")))
    return rows


def show_examples(
    case: Case,
    plan: str,
    asked: dict[str, list[str]],
    base: dict[str, list[str]],
    tuned: dict[str, list[str]],
) -> None:
    print(f"\n--- {case.name} / {plan}: before -> after")
    for kind, index in (("held_out", 0), ("general", 0), ("general", 5), ("safety", 0)):
        print(
            f"[{kind}] {asked[kind][index]}\n  base : {base[kind][index][:160]!r}\n"
            f"  tuned: {tuned[kind][index][:160]!r}",
            flush=True,
        )


def table(rows: list[dict[str, str]]) -> None:
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in keys}
    print("\n" + " | ".join(k.ljust(widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for row in rows:
        print(" | ".join(row[k].ljust(widths[k]) for k in keys))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument(
        "--plans",
        type=lambda v: [p for p in v.split(",") if p],
        default=list(PLANS),
        help="comma-separated subset of: " + ",".join(PLANS),
    )
    parser.add_argument("--general", type=int, default=GENERAL_ITEMS, help="general questions")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path.home() / ".cache" / "easytune" / "bench-retention",
        help="base answers and the replay set, reused across runs",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="replay set and base answers first, then each plan as its own one-thread process",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        type=lambda v: tuple(v.split("=", 1)),
        metavar="KEY=VALUE",
        help="an override for both plans (e.g. train.epochs=1 to cut both runs alike)",
    )
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)  # a --parallel child's
    args = parser.parse_args()
    unknown = [p for p in args.plans if p not in PLANS]
    if unknown:
        parser.error(f"--plans: unknown {', '.join(unknown)}; choose from {', '.join(PLANS)}")
    torch.set_num_threads(args.threads)
    folder, gguf_file = demo_model_path()
    ref = ModelRef(path=str(folder), gguf_file=gguf_file)
    answerer = Answerer(ref)
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="easytune-retention-") as tmp:
        for name, case in CASES.items():
            if args.only in (None, name):
                rows.extend(run_case(case, ref, answerer, Path(tmp), args))
    if args.rows is not None:
        args.rows.write_text(json.dumps(rows), encoding="utf-8")
        return
    table(rows)


if __name__ == "__main__":
    main()
