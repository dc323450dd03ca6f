"""GGUF exports, loaded in llama.cpp (llama-cpp-python) and generating: f16 answers exactly
like transformers, q8_0 / q4_k_m load and generate, the GGUF LoRA runs on its base GGUF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from easytune.export.run import run_export
from easytune.export.spec import ExportSpec
from easytune.training.progress import ProgressWriter
from easytune.training.spec import ModelRef

llama_cpp = pytest.importorskip("llama_cpp", reason="llama-cpp-python: run make install")
pytestmark = [
    pytest.mark.slow,
]
PROMPT_IDS_TEXT = "The quick brown fox jumps over"
FILE_TYPES = {"f16": "1", "q8_0": "7", "q4_k_m": "15"}


def _export(adapter: Path, base: Path, out: Path, fmt: str, quantization: str) -> dict[str, Any]:
    spec = ExportSpec(
        adapter_dir=str(adapter), base=ModelRef(path=str(base)), format=fmt,
        quantization=quantization, output_dir=str(out),
    )  # fmt: skip
    return run_export(spec, ProgressWriter(None, stream=None))


@pytest.fixture(scope="module")
def exported(
    spm_adapter_dir: Path, spm_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, dict[str, Any]]]:
    """One export per (format, quantization): its folder and the engine's result."""
    torch.set_num_threads(1)
    done = {}
    for fmt, quantization in [("gguf", "f16"), ("gguf", "q8_0"), ("gguf", "q4_k_m"),
                              ("gguf_lora", "f16")]:  # fmt: skip
        out = tmp_path_factory.mktemp(f"{fmt}-{quantization}")
        done[f"{fmt}-{quantization}"] = (
            out,
            _export(spm_adapter_dir, spm_llama_dir, out, fmt, quantization),
        )
    return done


def _prompt_ids(base: Path) -> list[int]:
    from transformers import AutoTokenizer

    return [int(i) for i in AutoTokenizer.from_pretrained(base)(PROMPT_IDS_TEXT).input_ids]


def _peft_greedy(base: Path, adapter: Path, ids: list[int], count: int) -> list[int]:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), adapter)
    inputs = torch.tensor([ids])
    with torch.no_grad():
        out = model.generate(
            inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=count,
            min_new_tokens=count, do_sample=False, pad_token_id=0,
        )  # fmt: skip
    return [int(t) for t in out[0, len(ids) :]]


def _llama(path: Path, lora: Path | None = None) -> Any:
    return llama_cpp.Llama(
        model_path=str(path), lora_path=str(lora) if lora else None, n_ctx=256, n_threads=1,
        verbose=False,
    )  # fmt: skip


def _greedy(llm: Any, ids: list[int], count: int) -> list[int]:
    tokens = []
    for token in llm.generate(ids, top_k=1, top_p=1.0, temp=0.0, repeat_penalty=1.0):
        tokens.append(int(token))
        if len(tokens) == count:
            return tokens
    return tokens


def test_f16_gguf_answers_like_transformers(
    exported: Any, spm_llama_dir: Path, spm_adapter_dir: Path
) -> None:
    out, result = exported["gguf-f16"]
    ids = _prompt_ids(spm_llama_dir)
    llm = _llama(out / "model-f16.gguf")
    assert _greedy(llm, ids, 10) == _peft_greedy(spm_llama_dir, spm_adapter_dir, ids, 10)
    assert result["verification"]["equal"] is True  # the engine's own check agreed
    eos = llm.metadata["tokenizer.ggml.eos_token_id"]
    assert llm.detokenize([int(eos)], special=True) == b"<|im_end|>"  # it will stop
    assert "<|im_start|>" in llm.metadata["tokenizer.chat_template"]


@pytest.mark.parametrize("quantization", ["q8_0", "q4_k_m"])
def test_quantized_ggufs_load_and_generate(exported: Any, quantization: str, spm_llama_dir):
    out, result = exported[f"gguf-{quantization}"]
    name = f"model-{quantization}.gguf"
    assert result["primary"] == name and not (out / "model-f16.gguf").exists()
    llm = _llama(out / name)
    assert llm.metadata["general.file_type"] == FILE_TYPES[quantization]
    assert len(_greedy(llm, _prompt_ids(spm_llama_dir), 8)) == 8
    assert (out / name).stat().st_size < (exported["gguf-f16"][0] / "model-f16.gguf").stat().st_size


def test_gguf_lora_runs_on_its_base_gguf(
    exported: Any, spm_llama_dir: Path, spm_adapter_dir: Path
) -> None:
    out, result = exported["gguf_lora-f16"]
    ids = _prompt_ids(spm_llama_dir)
    with_lora = _greedy(_llama(out / "base-f16.gguf", out / "adapter-f16.gguf"), ids, 10)
    assert with_lora == _peft_greedy(spm_llama_dir, spm_adapter_dir, ids, 10)
    assert with_lora != _greedy(_llama(out / "base-f16.gguf"), ids, 10)  # the LoRA is applied
    assert result["primary"] == "adapter-f16.gguf"


def test_every_gguf_export_carries_a_modelfile(exported: Any) -> None:
    for key, (out, result) in exported.items():
        text = (out / "Modelfile").read_text()
        lines = text.splitlines()
        assert lines[0].startswith("FROM ./") and (out / lines[0][len("FROM ./") :]).is_file(), key
        if key.startswith("gguf_lora"):
            assert lines[1] == "ADAPTER ./adapter-f16.gguf"
        assert 'PARAMETER stop "<|im_end|>"' in lines
        assert "{{ .Content }}<|im_end|>" in text and result["chat_family"] == "chatml"
        names = {f["name"] for f in result["files"]}
        assert "Modelfile" in names and all(len(f["sha256"]) == 64 for f in result["files"])
