"""The spec of an `evaluation` job: the contract between the platform and its child.

Pure pydantic (no torch): the API builds it, the worker writes it to spec.json and
`python -m easytune.training.evaluation run spec.json` compares the models it lists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from easytune.training.spec import DataFormat, ModelRef

COMPARISON_FILE = "comparison.json"
MAX_MODELS = 16


class ComparedModel(BaseModel):
    """One model of the comparison: a base model alone, or an adapter on its base."""

    model_config = ConfigDict(extra="forbid")

    model_id: str | None = Field(default=None, description="Registry id (jobs)")
    name: str = Field(description="Shown in the table")
    kind: Literal["base", "adapter"]
    base: ModelRef = Field(description="The base model (an adapter's own base)")
    base_model_id: str | None = None
    adapter_dir: str | None = Field(default=None, description="PEFT folder (adapters only)")

    @model_validator(mode="after")
    def _adapter_has_folder(self) -> ComparedModel:
        if (self.kind == "adapter") != (self.adapter_dir is not None):
            raise ValueError("adapter_dir is required for an adapter and only for an adapter")
        return self


class ComparisonSpec(BaseModel):
    """Everything one evaluation job needs; written as spec.json in its folder."""

    model_config = ConfigDict(extra="forbid")

    output_dir: str = Field(description="Folder the report is written to")
    models: list[ComparedModel] = Field(min_length=1, max_length=MAX_MODELS)
    probes: Literal["default"] = "default"
    max_per_set: int | None = Field(default=None, ge=1, le=1000)
    dataset_id: str | None = None
    data_path: str | None = Field(default=None, description="Held-out chat examples' file")
    data_format: DataFormat | None = None
    max_held_out: int = Field(default=32, ge=0, le=1000)
    max_new_tokens: int = Field(default=32, ge=1, le=1024)
    batch_size: int = Field(default=64, ge=1, le=1024)
    refusal_tolerance: float = Field(default=0.1, ge=0.0, le=1.0)
    import_model_id: str | None = Field(
        default=None, description="The imported adapter these probes clear or flag (platform)"
    )
