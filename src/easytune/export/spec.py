"""The export spec: the contract between the worker (or the CLI) and the export child."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from easytune.export.errors import ExportSpecError
from easytune.training.spec import ModelRef


@dataclass(frozen=True)
class FormatRule:
    """Which quantizations a format accepts, and the one it takes when none is given."""

    quantizations: tuple[str | None, ...]
    default: str | None
    description: str


# `None` for merged keeps the base model's own dtype (float32 for a dequantised GGUF base).
FORMAT_RULES: dict[str, FormatRule] = {
    "merged": FormatRule((None, "f16"), None, "Hugging Face folder (safetensors)"),
    "gguf": FormatRule(("f16", "q8_0", "q4_k_m"), "q8_0", "merged model as one GGUF file"),
    "gguf_lora": FormatRule(("f16", "q8_0"), "f16", "the adapter alone as a GGUF LoRA"),
}


def check_choice(format: str, quantization: str | None) -> str | None:
    """The quantization to use, or an ExportSpecError naming the valid choices."""
    rule = FORMAT_RULES.get(format)
    if rule is None:
        known = ", ".join(FORMAT_RULES)
        raise ExportSpecError(
            f"unknown export format {format!r}; use one of {known}", param="format"
        )
    chosen = quantization if quantization is not None else rule.default
    if chosen not in rule.quantizations:
        valid = ", ".join(q for q in rule.quantizations if q is not None)
        raise ExportSpecError(
            f"quantization {quantization!r} is not valid for format {format!r}; use {valid}",
            param="quantization",
        )
    return chosen


class ExportSpec(BaseModel):
    """Everything one export needs; written as spec.json next to its output."""

    model_config = ConfigDict(extra="forbid")

    model_id: str | None = Field(default=None, description="Registry id of the adapter (jobs)")
    adapter_dir: str = Field(description="PEFT adapter folder (adapter_config.json + weights)")
    base: ModelRef = Field(description="The adapter's base model (HF folder or GGUF file)")
    format: str = Field(description="merged | gguf | gguf_lora")
    quantization: str | None = Field(default=None, description="f16 | q8_0 | q4_k_m")
    output_dir: str = Field(description="Folder the artefact is written to")
    llama_cpp_dir: str | None = Field(
        default=None, description="llama.cpp conversion scripts (default: the project's .cache)"
    )
    max_shard_size: str = Field(default="2GB", description="Merged safetensors shard size")
    artifact_subdir: str = Field(
        default="", description="Artefacts go to output_dir/artifact_subdir (jobs: 'export')"
    )
    archive: bool = Field(default=False, description="merged: pack the folder as merged.zip")
    verify: bool = Field(default=True, description="Load the result and compare greedy tokens")
    cache_dir: str | None = Field(default=None, description="Dequantised GGUF base cache")

    def artifact_dir(self) -> Path:
        return Path(self.output_dir) / self.artifact_subdir

    @model_validator(mode="after")
    def _choice(self) -> ExportSpec:
        self.quantization = check_choice(self.format, self.quantization)
        return self
