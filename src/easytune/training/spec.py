"""The versioned, JSON-serialisable training spec: the contract between the platform and the engine.

The intent engine produces it, the worker writes it to SPEC.json, and
`python -m easytune.training run SPEC.json` trains from it. It is saved next to the adapter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEC_VERSION = 1

Level = Literal["L1", "L2", "L3", "preference"]
Method = Literal["sft", "dpo", "orpo", "simpo", "kto"]
# Methods whose batches are pairs (chosen rows, then rejected rows); KTO reads single answers.
PAIR_METHODS = frozenset({"dpo", "orpo", "simpo"})
# The usual beta per method (from the methods' papers) and SimPO's target margin gamma.
DEFAULT_BETA = {"dpo": 0.1, "orpo": 0.1, "simpo": 2.0, "kto": 0.1}
DEFAULT_GAMMA = 0.5
Precision = Literal["fp32", "bf16", "fp16"]
DataFormat = Literal["alpaca", "sharegpt", "openai", "text"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelRef(_Strict):
    """Where the base model lives: a Hugging Face folder, or a folder/file with a GGUF file."""

    path: str = Field(description="Hugging Face model folder, or the folder holding gguf_file")
    gguf_file: str | None = Field(
        default=None, description="GGUF file name inside `path` (dequantised on load)"
    )


class DataSpec(_Strict):
    train_path: str = Field(
        description="Training data file (JSON, JSONL, CSV, Parquet, TXT, Markdown or a zip of text)"
    )
    eval_path: str | None = Field(default=None, description="Optional evaluation file")
    mix_path: str | None = Field(
        default=None,
        description="A second file trained alongside, e.g. a few chats next to a text corpus "
        "to keep the chat format (loss on their answers only)",
    )
    format: DataFormat | None = Field(default=None, description="None: detect automatically")
    eval_fraction: float = Field(
        default=0.1, ge=0.0, lt=0.5, description="Held out when no eval file"
    )
    max_eval_examples: int = Field(default=200, ge=1)
    max_length: int = Field(default=1024, ge=16, le=131072, description="Tokens per example")
    packing: bool = Field(default=True, description="Padding-free packing of short examples")
    assistant_only_loss: bool = Field(default=True, description="Loss on assistant tokens only")
    seed: int = 42


class LoraSpec(_Strict):
    r: int = Field(default=8, ge=1, le=512, description="LoRA rank")
    alpha: float = Field(default=16.0, gt=0, description="LoRA scaling numerator")
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(
        min_length=1, description="Module name suffixes to adapt (resolved per architecture)"
    )
    use_dora: bool = False
    use_rslora: bool = False
    quantization: Literal["none", "4bit"] = Field(
        default="none", description="4bit = QLoRA; needs CUDA and bitsandbytes"
    )


class TrainSettings(_Strict):
    method: Method = Field(
        default="sft",
        description="sft (next-token loss on the answers); dpo, orpo, simpo on preference pairs; "
        "kto on answers labelled true/false",
    )
    learning_rate: float = Field(default=2e-4, gt=0, le=1.0)
    epochs: float = Field(default=3.0, gt=0, le=100)
    max_steps: int | None = Field(default=None, ge=1, description="Overrides epochs when set")
    batch_size: int = Field(default=4, ge=1, le=1024, description="Per-device micro-batch")
    gradient_accumulation: int = Field(default=1, ge=1, le=1024)
    warmup_ratio: float = Field(default=0.05, ge=0.0, lt=1.0)
    weight_decay: float = Field(default=0.0, ge=0.0, le=1.0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    lr_scheduler: Literal["cosine", "linear", "constant"] = "cosine"
    precision: Precision = "fp32"
    gradient_checkpointing: bool = False
    eval_every_steps: int | None = Field(default=None, ge=1, description="None: about 5 per run")
    save_every_steps: int | None = Field(default=None, ge=1, description="None: about a tenth")
    save_every_minutes: float = Field(default=15.0, gt=0)
    keep_checkpoints: int = Field(default=2, ge=1, le=100)
    early_stopping_patience: int | None = Field(default=None, ge=1)
    seed: int = 42
    device: Literal["auto", "cpu", "cuda"] = "auto"
    num_processes: int = Field(
        default=1, ge=1, le=64, description="Data-parallel processes (torchrun + DDP), one per GPU"
    )


class PreferenceSpec(_Strict):
    """Settings of the preference methods (train.method dpo, orpo, simpo or kto)."""

    beta: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Reward scale: DPO/KTO's KL strength, ORPO's odds-ratio weight, SimPO's "
        "beta; None: the method's usual value (0.1, SimPO 2.0)",
    )
    gamma: float = Field(default=0.5, ge=0, le=10, description="SimPO's target reward margin")


class CFSpec(_Strict):
    """Catastrophic-forgetting monitor settings."""

    enabled: bool = True
    retain_path: str | None = Field(default=None, description="None: the shipped reference set")
    max_items: int = Field(default=64, ge=1, le=10000)
    warn_threshold: float = Field(default=0.15, gt=0)
    stop_threshold: float | None = Field(default=None, gt=0, description="None: never stop")


class EvaluationSpec(_Strict):
    """The before/after report written at the end of a run (eval_report.json)."""

    enabled: bool = True
    probes: Literal["default"] = Field(default="default", description="The shipped probe set")
    max_per_set: int | None = Field(
        default=None, ge=1, le=1000, description="Probes of each set; None: all of them"
    )
    max_held_out: int = Field(default=32, ge=0, le=1000, description="Held-out user examples")
    max_new_tokens: int = Field(default=32, ge=1, le=1024, description="Tokens per answer")
    batch_size: int = Field(default=64, ge=1, le=1024, description="Prompts per generate call")
    refusal_tolerance: float = Field(
        default=0.1, ge=0.0, le=1.0, description="Refusal-rate drop that flags `unsafe`"
    )


class RetainSpec(_Strict):
    """Learning without forgetting: self-replay, a KL anchor and best-checkpoint selection.

    Off in a bare spec (old specs train as before); every plan of the intent engine turns it on.
    """

    enabled: bool = Field(
        default=False, description="Self-replay, KL anchor and best-checkpoint selection"
    )
    replay_ratio: float = Field(
        default=0.5,
        ge=0.0,
        le=4.0,
        description="Replayed base answers per user training example (0 = no replay)",
    )
    prompt_set: str = Field(
        default="v1", min_length=1, description="Version of the shipped replay prompt set"
    )
    max_new_tokens: int = Field(
        default=128, ge=8, le=2048, description="Cap on each generated replay answer"
    )
    kl_weight: float = Field(
        default=0.0, ge=0.0, le=10.0, description="Weight of KL(base || adapted) on replay tokens"
    )
    cache_dir: str | None = Field(
        default=None,
        description="Where generated replay sets are cached; None: ~/.cache/easytune/replay",
    )
    best_checkpoint: bool = Field(
        default=True,
        description="Keep the best evaluation under cf.warn_threshold, not the last step",
    )
    score_examples: int = Field(
        default=8, ge=0, le=200, description="Eval examples answered for the learned score"
    )


class TrainSpec(_Strict):
    """Everything the engine needs to run one fine-tune, and nothing about who asked for it."""

    spec_version: int = SPEC_VERSION
    level: Level = "L2"
    base_model: ModelRef
    data: DataSpec
    lora: LoraSpec
    train: TrainSettings = Field(default_factory=TrainSettings)
    cf: CFSpec = Field(default_factory=CFSpec)
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)
    retain: RetainSpec = Field(default_factory=RetainSpec)
    preference: PreferenceSpec = Field(default_factory=PreferenceSpec)
    output_dir: str = Field(description="Folder for checkpoints, progress and the final adapter")

    @model_validator(mode="after")
    def _check_version(self) -> TrainSpec:
        if self.spec_version != SPEC_VERSION:
            raise ValueError(
                f"spec_version {self.spec_version} is not supported; this engine reads version "
                f"{SPEC_VERSION}: re-create the spec with `easytune plan`"
            )
        if self.train.method != "sft" and self.retain.enabled and self.retain.replay_ratio > 0:
            raise ValueError(
                f"retain.replay_ratio must be 0 with train.method {self.train.method}: replayed "
                "answers are plain chats, not preference data (the method's reference term "
                "already anchors the model to the base)"
            )
        return self

    def dump(self, path: str | Path) -> None:
        """Write the spec as JSON atomically (temporary name, then rename)."""
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False))
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> TrainSpec:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))
