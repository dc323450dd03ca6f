"""Serving speed: /v1/chat/completions (streaming, through the official `openai` package)
against the playground's SSE path and against llama.cpp (llama-cpp-python, one thread), on the
demo model (SmolLM2-135M-Instruct) and on one LoRA adapter of it, with the same prompts and max
tokens, in one run.

llama.cpp runs the GGUF of the same model: for the base, the demo's own GGUF file (the one the
platform serves from); for the adapter, the adapter merged and exported to GGUF q8_0 by the
platform's exporter (easytune.export, llama.cpp's converter and quantiser), loaded with
n_threads=1. Its text differs from the torch paths (other kernels, q8_0 weights), so only
its speed is compared; the token count is the number of streamed pieces.

Starts the API in this process (uvicorn on a free loopback port, SQLite in a temporary
folder), registers the demo model, adds an adapter (a random LoRA of rank 8 on q/k/v/o: the
same compute as a trained one), warms each target once (the cold load is reported apart), then
times each prompt per path: time to first token (TTFT) and tokens/s (completion tokens over
the whole request; decode rate after the first token too). Greedy decoding, so both paths
produce the same text and token count (checked).

Run: .venv/bin/python bench/serving.py [--max-tokens 64] [--runs 3] [--threads N] [--no-llama]
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

from easytune.api.state import app_state
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


def _register(live: LiveServer, folder: Path, file: str) -> tuple[str, str, Path]:
    """(base model id, adapter id, adapter folder): the demo model, and a random adapter
    through a job."""
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
        saved = _finish_with_random_adapter(live, ModelRef(path=str(folder), gguf_file=file))
        adapter = http.get(f"/api/v1/jobs/{job['id']}").raise_for_status().json()
    return base, adapter["result"]["adapter_model_id"], saved


def _finish_with_random_adapter(live: LiveServer, ref: ModelRef) -> Path:
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
    return Path(folder)


def export_q8(adapter: Path, ref: ModelRef, out: Path) -> Path:
    """The adapter merged into its base as GGUF q8_0, by the platform's own exporter."""
    from easytune.export.run import run_export
    from easytune.export.spec import ExportSpec
    from easytune.training.progress import ProgressWriter

    spec = ExportSpec(adapter_dir=str(adapter), base=ref, format="gguf", quantization="q8_0",
                      output_dir=str(out), verify=False)  # fmt: skip
    progress = ProgressWriter(str(out), stream=None)
    try:
        result = run_export(spec, progress)
    finally:
        progress.close()
    return out / str(result["primary"])


def via_llama(llm: object, prompt: str, max_tokens: int) -> Timing:
    """One streamed chat completion in llama.cpp; each streamed piece is one token."""
    start = time.perf_counter()
    first, pieces = None, []
    stream = llm.create_chat_completion(  # type: ignore[attr-defined]
        messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0,
        stream=True,
    )  # fmt: skip
    for chunk in stream:
        text = chunk["choices"][0]["delta"].get("content")
        if text:
            first = first or time.perf_counter()
            pieces.append(text)
    end = time.perf_counter()
    return Timing((first or end) - start, end - start, max(len(pieces), 1), "".join(pieces))


def llama_timings(gguf: Path, max_tokens: int, runs: int) -> tuple[float, list[Timing]]:
    """(load seconds, timings): the GGUF in llama.cpp on one thread, warmed once."""
    from llama_cpp import Llama

    start = time.perf_counter()
    llm = Llama(model_path=str(gguf), n_threads=1, n_ctx=1024, verbose=False)
    via_llama(llm, "Hi", 4)
    load = time.perf_counter() - start
    return load, [via_llama(llm, prompt, max_tokens) for prompt in PROMPTS * runs]


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
    parser.add_argument("--no-llama", action="store_true", help="skip the llama.cpp rows")
    args = parser.parse_args()
    if args.threads:  # a shared, busy CPU runs faster on fewer threads than cores
        torch.set_num_threads(args.threads)
    folder, file = demo_model_path()
    with tempfile.TemporaryDirectory() as tmp:
        settings = platform_settings_for(
            f"sqlite:///{tmp}/bench.db", Path(tmp) / "data", rate_limit_per_minute=1_000_000
        )
        for live in serve(settings):
            base, adapter, saved = _register(live, folder, file)
            run_bench(live, base, adapter, args.max_tokens, args.runs)
            if not args.no_llama:
                ref = ModelRef(path=str(folder), gguf_file=file)
                ggufs = {"base": folder / file, "adapter": export_q8(saved, ref, Path(tmp) / "q8")}
                run_llama(ggufs, args.max_tokens, args.runs)


def run_llama(ggufs: dict[str, Path], max_tokens: int, runs: int) -> None:
    """The same prompts and max tokens in llama.cpp (one thread), per GGUF."""
    rows = []
    for label, gguf in ggufs.items():
        load, timings = llama_timings(gguf, max_tokens, runs)
        rows.append(row(f"{label} llama.cpp {gguf.name}, 1 thread", timings, load))
    emit("serving-llama.cpp", rows, notes=["cold = the GGUF's load time in llama.cpp"])


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
    emit("serving", rows, notes=[f"cache: {app_state(live.app).inference.loaded()}"])


if __name__ == "__main__":
    main()
