"""Check that the demo's L1 plan makes the pirate marker visible on SmolLM2-135M (CPU LoRA).

Trains with the settings `resolve_plan` gives the demo (r=4, alpha=8, dropout 0.1, q/k/v,
lr 3e-4, 5 epochs, cosine, 10% warm-up) in a plain loop, and compares greedy answers to unseen
questions before and after. Usage: HF_HUB_OFFLINE=1 python bench/demo_style_check.py [THREADS]
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

from easytune.demo import DEMO_MARKER, demo_dataset_path, demo_model_path

PROMPTS = [
    "What is the capital of Peru?",
    "How do I make pancakes?",
    "Why do cats purr?",
    "什么是彩虹？",
    "Name three colours of the rainbow.",
]
BATCH, EPOCHS, LR = 12, 5, 3e-4  # ~4 packed 192-token rows per step, as the plan packs them


def generate(model: Any, tok: Any) -> list[str]:
    out = []
    for prompt in PROMPTS:
        ids = tok.apply_chat_template(
            [{"role": "user", "content": prompt}],
            add_generation_prompt=True,
            return_tensors="pt",
            return_dict=True,
        )
        with torch.no_grad():
            gen = model.generate(**ids, max_new_tokens=28, do_sample=False)
        out.append(tok.decode(gen[0, ids["input_ids"].shape[1] :], skip_special_tokens=True))
    return [text.strip() for text in out]


def encode(tok: Any, record: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Token ids and labels with the prompt masked (loss on the answer only)."""
    prompt = tok.apply_chat_template(record["messages"][:1], add_generation_prompt=True)
    full = tok.apply_chat_template(record["messages"])
    if hasattr(prompt, "keys"):
        prompt, full = prompt["input_ids"], full["input_ids"]
    return full, [-100] * len(prompt) + full[len(prompt) :]


def batches(data: list[tuple[list[int], list[int]]], pad: int, gen: torch.Generator) -> Any:
    order = torch.randperm(len(data), generator=gen).tolist()
    for start in range(0, len(order), BATCH):
        chunk = [data[j] for j in order[start : start + BATCH]]
        width = max(len(ids) for ids, _ in chunk)
        yield (
            torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in chunk]),
            torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in chunk]),
            torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in chunk]),
        )


def train(model: Any, data: list[tuple[list[int], list[int]]], pad: int) -> None:
    steps = math.ceil(len(data) / BATCH) * EPOCHS
    warm = max(1, steps // 10)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: min(
            (s + 1) / warm, 0.5 * (1 + math.cos(math.pi * max(0, s - warm) / max(1, steps - warm)))
        ),
    )
    gen, step, tokens, start = torch.Generator().manual_seed(42), 0, 0, time.time()
    model.train()
    for _ in range(EPOCHS):
        for ids, labels, mask in batches(data, pad, gen):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(), sched.step(), opt.zero_grad()
            step, tokens = step + 1, tokens + int(mask.sum())
            if step % 10 == 0:
                rate = tokens / (time.time() - start)
                print(f"step {step}/{steps} loss {loss.item():.3f} {rate:.0f} tok/s", flush=True)
    print(f"trained {step} steps, {tokens} tokens in {time.time() - start:.0f} s", flush=True)


def main() -> None:
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    torch.manual_seed(42)
    folder, name = demo_model_path()
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
    rows = [json.loads(line) for line in demo_dataset_path().read_text().splitlines()]
    data = [encode(tok, r) for r in rows[: int(len(rows) * 0.9)]]
    model.eval()
    before = generate(model, tok)
    config = LoraConfig(
        r=4,
        lora_alpha=8,
        lora_dropout=0.1,
        task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj"],
    )
    model = get_peft_model(model, config)
    train(model, data, pad)
    model.eval()
    after = generate(model, tok)
    for prompt, old, new in zip(PROMPTS, before, after, strict=True):
        print(f"{prompt}\n  before: {old[:90]}\n  after:  {new[:90]}")
    hits = [sum(a.startswith(DEMO_MARKER) for a in answers) for answers in (before, after)]
    print(f"marker before {hits[0]}/{len(PROMPTS)}, after {hits[1]}/{len(PROMPTS)}")


if __name__ == "__main__":
    main()
