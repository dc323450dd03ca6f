"""The export formats, registered by name: each builds its files into the artefact folder.

merged: the Hugging Face folder (archived as one zip for download when the spec asks).
gguf: merged, converted to GGUF f16 by llama.cpp's converter, quantised by llama.cpp.
gguf_lora: the adapter alone, converted by llama.cpp's LoRA converter, used with a base GGUF.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from easytune.export.merge import end_token_ids, load_tokenizer_for, save_merged
from easytune.export.modelfile import modelfile_text
from easytune.export.spec import ExportSpec
from easytune.export.stages import Stages
from easytune.export.tools import CONVERT_LORA, CONVERT_MODEL, quantize, run_script, tools_dir
from easytune.export.verify import (
    agreement,
    check_generates,
    llama_greedy,
    prompt_ids,
    transformers_greedy,
)
from easytune.training.messages import EXPORT_STAGE
from easytune.training.model import hf_folder, resolve_ref

MODELFILE = "Modelfile"
WORK = ".work"


@dataclass(frozen=True)
class Built:
    """What a builder made: its files (in the artefact folder) and facts for the result."""

    primary: str
    facts: dict[str, Any]


Builder = Callable[[ExportSpec, Path, Stages], Built]


def _merge(spec: ExportSpec, target: Path, quantization: str | None = None) -> Path:
    return save_merged(
        Path(spec.adapter_dir),
        spec.base,
        target,
        quantization=quantization,
        max_shard_size=spec.max_shard_size,
        cache_dir=Path(spec.cache_dir) if spec.cache_dir else None,
    )


def build_merged(spec: ExportSpec, out: Path, stages: Stages) -> Built:
    stages.start("merge", EXPORT_STAGE["merge"]())
    folder = _merge(spec, out / "merged", spec.quantization)
    if not spec.archive:
        return Built("merged", {})
    stages.start("archive", EXPORT_STAGE["archive"]())
    archive = shutil.make_archive(str(out / ".merged-tmp"), "zip", root_dir=folder)
    Path(archive).replace(out / "merged.zip")
    shutil.rmtree(folder)
    return Built("merged.zip", {})


def _convert_model(folder: Path, target: Path, spec: ExportSpec) -> None:
    run_script(tools_dir(spec.llama_cpp_dir), CONVERT_MODEL, [
        str(folder), "--outfile", str(target), "--outtype", "f16",
    ])  # fmt: skip


def _verify(
    spec: ExportSpec, stages: Stages, gguf: Path, reference: Any, **kw: Any
) -> dict[str, Any]:
    """Load the file in llama.cpp, generate greedily, compare with transformers."""
    if not spec.verify:
        return {}
    stages.start("verify", EXPORT_STAGE["verify"](file=gguf.name))
    model, ids = reference()
    produced = llama_greedy(gguf, ids, lora_path=kw.get("lora_path"))
    check_generates(produced, gguf)
    return {"verification": agreement(transformers_greedy(model, ids), produced)}


def _merged_reference(folder: Path) -> Callable[[], tuple[Any, list[int]]]:
    def load() -> tuple[Any, list[int]]:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model = AutoModelForCausalLM.from_pretrained(folder)
        return model, prompt_ids(AutoTokenizer.from_pretrained(folder))

    return load


def _write_modelfile(out: Path, tokenizer: Any, from_path: str, adapter: str | None) -> str | None:
    """Write the Modelfile next to the GGUF; returns the chat template family found."""
    text, family = modelfile_text(from_path, tokenizer, end_token_ids(tokenizer), adapter)
    (out / MODELFILE).write_text(text, encoding="utf-8")
    return family


def build_gguf(spec: ExportSpec, out: Path, stages: Stages) -> Built:
    work = out / WORK
    stages.start("merge", EXPORT_STAGE["merge"]())
    merged = _merge(spec, work / "merged")
    stages.start("convert", EXPORT_STAGE["convert"]())
    f16 = out / "model-f16.gguf" if spec.quantization == "f16" else work / "model-f16.gguf"
    _convert_model(merged, f16, spec)
    name = f"model-{spec.quantization}.gguf"
    if spec.quantization != "f16":
        stages.start("quantize", EXPORT_STAGE["quantize"](quantization=spec.quantization))
        quantize(f16, out / name, str(spec.quantization))
    from transformers import AutoTokenizer

    family = _write_modelfile(out, AutoTokenizer.from_pretrained(merged), f"./{name}", None)
    facts = _verify(spec, stages, out / name, _merged_reference(merged))
    shutil.rmtree(work)
    return Built(name, {"chat_family": family, **facts})


def _base_gguf(spec: ExportSpec, out: Path, stages: Stages) -> tuple[Path, str]:
    """The base as GGUF for llama.cpp: the base file itself, or a conversion of the folder."""
    folder, gguf_file = resolve_ref(spec.base)
    if gguf_file is not None:
        path = (folder / gguf_file).resolve()
        return path, str(path)
    stages.start("convert_base", EXPORT_STAGE["convert_base"]())
    _convert_model(folder, out / "base-f16.gguf", spec)
    return out / "base-f16.gguf", "./base-f16.gguf"


def _lora_reference(spec: ExportSpec) -> Callable[[], tuple[Any, list[int]]]:
    def load() -> tuple[Any, list[int]]:
        from easytune.export.merge import merged_model

        adapter = Path(spec.adapter_dir)
        cache = Path(spec.cache_dir) if spec.cache_dir else None
        tokenizer = load_tokenizer_for(adapter, hf_folder(spec.base, cache))
        return merged_model(adapter, spec.base, cache), prompt_ids(tokenizer)

    return load


def build_gguf_lora(spec: ExportSpec, out: Path, stages: Stages) -> Built:
    cache = Path(spec.cache_dir) if spec.cache_dir else None
    base_folder = hf_folder(spec.base, cache)  # config.json for the converter (GGUF: dequantised)
    name = f"adapter-{spec.quantization}.gguf"
    stages.start("convert", EXPORT_STAGE["convert_lora"]())
    run_script(tools_dir(spec.llama_cpp_dir), CONVERT_LORA, [
        "--base", str(base_folder), "--outfile", str(out / name),
        "--outtype", str(spec.quantization), spec.adapter_dir,
    ])  # fmt: skip
    base_path, base_from = _base_gguf(spec, out, stages)
    tokenizer = load_tokenizer_for(Path(spec.adapter_dir), base_folder)
    family = _write_modelfile(out, tokenizer, base_from, f"./{name}")
    facts = _verify(spec, stages, base_path, _lora_reference(spec), lora_path=out / name)
    return Built(name, {"chat_family": family, "base_gguf": str(base_path), **facts})


BUILDERS: dict[str, Builder] = {
    "merged": build_merged,
    "gguf": build_gguf,
    "gguf_lora": build_gguf_lora,
}
