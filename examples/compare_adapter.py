"""Print a base model's and a fine-tuned adapter's answers side by side (greedy decoding).

Usage:
    python examples/compare_adapter.py ADAPTER_DIR [--model PATH_OR_GGUF] [PROMPT ...]

ADAPTER_DIR is the `adapter/` folder `easytune train` wrote. Without --model the base model
recorded in the adapter's `adapter_config.json` is used. Only plain transformers + peft are
used here, to show that the adapter loads in standard tools as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

DEFAULT_PROMPTS = [
    "What is the capital of Peru?",
    "How do I make pancakes?",
    "Why do cats purr?",
    "什么是彩虹？",
    "Name three colours of the rainbow.",
]


def load_base(model: str) -> Any:
    path = Path(model)
    if path.suffix == ".gguf":
        return AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    return AutoModelForCausalLM.from_pretrained(path)


def answer(model: Any, tokenizer: Any, prompt: str, max_new_tokens: int) -> str:
    inputs = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return str(tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("adapter", type=Path)
    parser.add_argument("--model", help="base model folder or .gguf file")
    parser.add_argument("--max-new-tokens", type=int, default=40)
    parser.add_argument("prompts", nargs="*")
    # Intermixed: the usage line puts PROMPTs after --model, which plain parse_args refuses.
    args = parser.parse_intermixed_args()
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(args.adapter)
    base = load_base(args.model or _base_of(args.adapter))
    base.eval()
    prompts = args.prompts or DEFAULT_PROMPTS
    before = [answer(base, tokenizer, p, args.max_new_tokens) for p in prompts]
    tuned = PeftModel.from_pretrained(base, args.adapter)
    tuned.eval()
    after = [answer(tuned, tokenizer, p, args.max_new_tokens) for p in prompts]
    for prompt, old, new in zip(prompts, before, after, strict=True):
        print(f"Q: {prompt}\n  base:       {old.strip()}\n  fine-tuned: {new.strip()}\n")


def _base_of(adapter: Path) -> str:
    import json

    return str(json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"])


if __name__ == "__main__":
    main()
