"""Padding vs padding-free packing: useful tokens per second on a length-skewed chat dataset.

Trains a small random Llama (hidden 128, 4 layers, sdpa, CPU) for the same number of steps
with each collator, alternating the runs step by step so that load from other processes hits
them alike. Padding: batches of 8 examples in random order (the default of most trainers), and
grouped by length (a common remedy). Packing: one padding-free row of up to max_length tokens
per step. "Useful" tokens are targets that carry loss (shifted label != -100), counted the same
way for every run.

    HF_HUB_OFFLINE=1 PYTHONPATH=src .venv/bin/python bench/packing.py
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from easytune.testing.benchprint import emit, ratio
from easytune.testing.tiny import build_model, build_tokenizer
from easytune.training.data import (
    IGNORE_INDEX,
    Example,
    Message,
    PackingCollator,
    PaddingCollator,
    TokenizedExample,
    pack_examples,
    prepare_model_for_packing,
    tokenize_example,
)

_TEXT = (
    "the quick brown fox jumps over lazy dog paris is capital of france berlin germany "
    "write short poem about sea explain what neural network in one sentence"
)
WORDS = _TEXT.split(" ")


def skewed_dataset(rng: random.Random, short: int, long: int) -> list[Example]:
    """Many short chats (a few dozen tokens) and a few long ones (hundreds of tokens)."""
    sizes = [(rng.randint(3, 12), rng.randint(4, 24)) for _ in range(short)]
    sizes += [(rng.randint(10, 30), rng.randint(200, 380)) for _ in range(long)]
    rng.shuffle(sizes)
    return [
        Example(i, (Message("user", _words(rng, q)), Message("assistant", _words(rng, a))))
        for i, (q, a) in enumerate(sizes, 1)
    ]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


@dataclass
class Result:
    name: str
    steps: int
    seconds: float
    examples: int
    real_tokens: int  # tokens the model computed on that were not padding
    slots: int  # tokens computed including padding
    useful: int  # targets with loss

    @property
    def useful_per_s(self) -> float:
        return self.useful / self.seconds


@dataclass
class Run:
    result: Result
    model: Any
    optimizer: torch.optim.Optimizer
    batches: Sequence[dict[str, torch.Tensor]]
    examples: list[int]


def step(run: Run, index: int, counted: bool) -> None:
    """One optimizer step on batch ``index``; add its time and tokens when ``counted``."""
    batch = run.batches[index]
    start = time.perf_counter()
    run.model(**batch).loss.backward()
    run.optimizer.step()
    run.optimizer.zero_grad(set_to_none=True)
    if not counted:
        return
    r = run.result
    r.seconds += time.perf_counter() - start
    r.steps += 1
    r.examples += run.examples[index]
    r.slots += batch["input_ids"].numel()
    mask = batch.get("attention_mask")
    r.real_tokens += int(mask.sum()) if mask is not None else batch["input_ids"].numel()
    r.useful += int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())


def train(runs: list[Run], steps: int, warmup: int) -> None:
    """Alternate the runs step by step, so load from other processes hits them alike."""
    for run in runs:
        run.model.train()
    for index in range(warmup + steps):
        for run in runs:
            step(run, index, counted=index >= warmup)


def chunks(items: list[Any], size: int, count: int) -> list[list[Any]]:
    return [items[i * size : (i + 1) * size] for i in range(count)]


def padded_batches(
    data: list[TokenizedExample],
    batch: int,
    steps: int,
    pad: int,
    rng: random.Random,
    by_length: bool,
) -> tuple[list[Any], list[int]]:
    order = list(data)
    rng.shuffle(order)
    groups = chunks(order, batch, steps)
    if by_length:  # group_by_length-style: similar lengths share a batch, batches shuffled
        ranked = sorted(order[: batch * steps], key=len)
        groups = chunks(ranked, batch, steps)
        rng.shuffle(groups)
    collate = PaddingCollator(pad)
    return [collate(g) for g in groups], [len(g) for g in groups]


def packed_batches(
    data: list[TokenizedExample], per_step: int, steps: int, max_length: int, rng: random.Random
) -> tuple[list[Any], list[int]]:
    packs = pack_examples(data, max_length)
    rng.shuffle(packs)
    groups = chunks(packs, per_step, steps)
    collate = PackingCollator()
    return [collate(g) for g in groups], [sum(len(p.lengths) for p in g) for g in groups]


def new_run(
    name: str, made: tuple[list[Any], list[int]], args: argparse.Namespace, vocab: int
) -> Run:
    model = build_model(
        "llama",
        vocab_size=vocab,
        seed=args.seed,
        hidden_size=args.hidden,
        intermediate_size=2 * args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=args.max_length,
        attn_implementation="sdpa",
    )
    prepare_model_for_packing(model)  # use_cache off, for every run alike
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    return Run(Result(name, 0, 0.0, 0, 0, 0, 0), model, optimizer, *made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8, help="examples per padded step")
    parser.add_argument("--packs", type=int, default=1, help="packed rows per packed step")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--short", type=int, default=448)
    parser.add_argument("--long", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    # One thread: on a shared, busy machine more threads spin-wait on each other (10x slower).
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tokenizer = build_tokenizer()
    examples = skewed_dataset(random.Random(args.seed), args.short, args.long)
    data = [tokenize_example(ex, tokenizer, args.max_length) for ex in examples]
    lengths = sorted(len(t) for t in data)
    print(
        f"dataset: {len(data)} chats, tokens p50={lengths[len(lengths) // 2]} "
        f"max={lengths[-1]} mean={sum(lengths) / len(lengths):.1f}; model: llama hidden "
        f"{args.hidden}, {args.layers} layers, sdpa; torch threads={torch.get_num_threads()}"
    )
    total, pad = args.steps + args.warmup, tokenizer.pad_token_id
    made = {
        "padding (random order)": padded_batches(
            data, args.batch, total, pad, random.Random(args.seed), by_length=False
        ),
        "padding (group by length)": padded_batches(
            data, args.batch, total, pad, random.Random(args.seed), by_length=True
        ),
        "packing (padding-free)": packed_batches(
            data, args.packs, total, args.max_length, random.Random(args.seed)
        ),
    }
    runs = [new_run(name, batches, args, len(tokenizer)) for name, batches in made.items()]
    train(runs, args.steps, args.warmup)
    report([run.result for run in runs])


def report(results: list[Result]) -> None:
    rows = [
        {
            "method": r.name, "steps": r.steps, "seconds": r.seconds, "examples": r.examples,
            "slots": r.slots, "real": r.real_tokens, "useful": r.useful,
            "pad %": 100 * (r.slots - r.real_tokens) / r.slots, "useful tok/s": r.useful_per_s,
        }
        for r in results
    ]  # fmt: skip
    base, grouped, packed = results
    emit("packing", rows, summary={
        "packing / padding (random order)": ratio(packed.useful_per_s, base.useful_per_s),
        "packing / padding (group by length)": ratio(packed.useful_per_s, grouped.useful_per_s),
    })  # fmt: skip


if __name__ == "__main__":
    main()
