"""Serving speed: /v1/chat/completions (streaming, through the official `openai` package)
against the playground's SSE path, on the demo model (SmolLM2-135M-Instruct) and on one LoRA
adapter of it, with the same prompts and max tokens, in one run.

Starts the API in this process (uvicorn on a free loopback port, SQLite in a temporary
folder), registers the demo model, adds an adapter (a random LoRA of rank 8 on q/k/v/o: the
same compute as a trained one), warms each target once (the cold load is reported apart), then
times each prompt per path: time to first token (TTFT) and tokens/s (completion tokens over
the whole request; decode rate after the first token too). Greedy decoding, so both paths
produce the same text and token count (checked).

Run: .venv/bin/python bench/serving.py [--max-tokens 64] [--runs 3] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import httpx
import torch
from openai import OpenAI

# This checkout's easytune, not the one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from easytune.demo import demo_model_path
from easytune.jobs.queue import JobQueue, QueueConfig
from easytune.jobs.status import JobStatus
from easytune.testing.benchprint import emit
from easytune.testing.fixtures import create_user_row, platform_settings_for
from easytune.testing.live_server import LiveServer, serve
from easytune.training.spec import ModelRef

PROMPTS = [
    "Explain in two sentences why the sky is blue.",
    "Write a short poem about a lighthouse.",
    "List three tips for learning a new language.",
    "What is the difference between a list and a tuple in Python?",
]
CHAT = [
    {"messages": [{"role": "user", "content": f"question {i}"},
                  {"role": "assistant", "content": f"Arr, answer {i}"}]}
    for i in range(8)
]  # fmt: skip


@dataclass(frozen=True)
class Timing:
    ttft_s: float
    total_s: float
    tokens: int
    text: str

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.total_s

    @property
    def decode_per_s(self) -> float:
        return (self.tokens - 1) / max(self.total_s - self.ttft_s, 1e-9)


def _register(live: LiveServer, folder: Path, file: str) -> tuple[str, str]:
    """(base model id, adapter id): the demo model, and a random adapter through a job."""
    with live.client("admin") as admin:
        body = {"path": str(folder / file), "name": "SmolLM2-135M-Instruct"}
        base = admin.post("/api/v1/models", json=body).raise_for_status().json()["id"]
    create_user_row(live.app, "bench", "engineer")
    with live.client("bench") as http:
        data = "".join(json.dumps(r) + "\n" for r in CHAT).encode()
        upload = http.post("/api/v1/datasets", files={"file": ("chat.jsonl", data)},
                           data={"name": "chat"}).raise_for_status().json()  # fmt: skip
        job = http.post("/api/v1/jobs", json={
            "name": "pirate", "base_model_id": base, "dataset_id": upload["id"],
            "intent": {"level": "L1", "description": ""}}).raise_for_status().json()  # fmt: skip
        _finish_with_random_adapter(live, ModelRef(path=str(folder), gguf_file=file))
        adapter = http.get(f"/api/v1/jobs/{job['id']}").raise_for_status().json()
    return base, adapter["result"]["adapter_model_id"]


def _finish_with_random_adapter(live: LiveServer, ref: ModelRef) -> None:
    from peft import LoraConfig, get_peft_model

    from easytune.training.model import load_model

    queue = JobQueue(
        live.app.state.session_factory, QueueConfig.from_settings(live.app.state.settings)
    )
    claim = queue.claim_next("bench/1")
    assert claim is not None
    model, tokenizer = load_model(ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = LoraConfig(r=8, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                            init_lora_weights="gaussian")  # fmt: skip
        peft_model = get_peft_model(model, config)
    folder = claim.output_dir / "adapter"
    peft_model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    queue.finish(claim, JobStatus.SUCCEEDED, result={"adapter_dir": str(folder)})


def via_openai(client: OpenAI, model: str, prompt: str, max_tokens: int) -> Timing:
    start = time.perf_counter()
    first, pieces, tokens = None, [], 0
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens,
        temperature=0, stream=True, stream_options={"include_usage": True},
    )  # fmt: skip
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or time.perf_counter()
            pieces.append(chunk.choices[0].delta.content)
        if chunk.usage:
            tokens = chunk.usage.completion_tokens
    end = time.perf_counter()
    return Timing((first or end) - start, end - start, tokens, "".join(pieces))


def via_playground(http: httpx.Client, model_id: str, prompt: str, max_tokens: int) -> Timing:
    body = {"model_id": model_id, "messages": [{"role": "user", "content": prompt}],
            "max_new_tokens": max_tokens, "temperature": 0, "stream": True}  # fmt: skip
    start = time.perf_counter()
    first, pieces = None, []
    with http.stream("POST", "/api/v1/playground/generate", json=body) as response:
        for line in response.raise_for_status().iter_lines():
            if line.startswith("data: ") and '"which"' in line:
                first = first or time.perf_counter()
                pieces.append(json.loads(line[6:])["text"])
    end = time.perf_counter()
    return Timing((first or end) - start, end - start, 0, "".join(pieces))


def compare(
    client: OpenAI, http: httpx.Client, model: str, max_tokens: int, runs: int
) -> tuple[list[Timing], list[Timing]]:
    """Each prompt through both paths in turn (so drift hits both alike)."""
    v1, play = [], []
    for prompt in PROMPTS * runs:
        a = via_openai(client, model, prompt, max_tokens)
        b = via_playground(http, model, prompt, max_tokens)
        assert a.text == b.text, (a.text, b.text)  # greedy: the same answer both ways
        v1.append(a)
        play.append(Timing(b.ttft_s, b.total_s, a.tokens, b.text))  # same text, same tokens
    return v1, play


def row(name: str, timings: list[Timing], cold_s: float) -> dict[str, object]:
    return {
        "path": name,
        "TTFT p50 ms": statistics.median(t.ttft_s for t in timings) * 1000,
        "tok/s": statistics.median(t.tokens_per_s for t in timings),
        "decode tok/s": statistics.median(t.decode_per_s for t in timings),
        "requests": len(timings),
        "tokens p50": statistics.median(t.tokens for t in timings),
        "first request s": cold_s,  # loads the base or attaches the adapter
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0: torch's own")
    args = parser.parse_args()
    if args.threads:  # a shared, busy CPU runs faster on fewer threads than cores
        torch.set_num_threads(args.threads)
    folder, file = demo_model_path()
    with tempfile.TemporaryDirectory() as tmp:
        settings = platform_settings_for(
            f"sqlite:///{tmp}/bench.db", Path(tmp) / "data", rate_limit_per_minute=1_000_000
        )
        for live in serve(settings):
            base, adapter = _register(live, folder, file)
            run_bench(live, base, adapter, args.max_tokens, args.runs)


def run_bench(live: LiveServer, base: str, adapter: str, max_tokens: int, runs: int) -> None:
    client = OpenAI(base_url=f"{live.url}/v1", api_key=live.token("bench"), max_retries=0)
    print(f"torch threads {torch.get_num_threads()}, max_tokens {max_tokens}, "
          f"{len(PROMPTS)} prompts x {runs} runs, greedy")  # fmt: skip
    rows = []
    with live.client("bench") as http:
        for label, model in (("base", base), ("adapter", adapter)):
            cold = time.perf_counter()
            via_openai(client, model, "Hi", 4)
            cold = time.perf_counter() - cold
            v1, play = compare(client, http, model, max_tokens, runs)
            rows.append(row(f"{label} /v1/chat/completions", v1, cold))
            rows.append(row(f"{label} playground (SSE)", play, cold))
    emit("serving", rows, notes=[f"cache: {live.app.state.inference.loaded()}"])


if __name__ == "__main__":
    main()
