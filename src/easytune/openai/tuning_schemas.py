"""Request bodies of /v1/fine_tuning/jobs as OpenAI's clients send them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from easytune.core.errors import InvalidRequest

METHODS = ("supervised", "dpo")
Auto = Literal["auto"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Hyperparameters(_Request):
    """Each "auto" (the default) leaves the choice to the intent plan at level auto."""

    n_epochs: Auto | float = Field("auto", description='"auto" or 1..100 (fractions allowed)')
    batch_size: Auto | int = Field("auto", description='"auto" or 1..1024')
    learning_rate_multiplier: Auto | float = Field(
        "auto", description="Multiplies the learning rate the plan chooses"
    )

    @field_validator("n_epochs", "learning_rate_multiplier")
    @classmethod
    def _positive(cls, value: Auto | float) -> Auto | float:
        if value != "auto" and not 0 < float(value) <= 100:
            raise ValueError('must be "auto" or a number above 0 and at most 100')
        return value

    @field_validator("batch_size")
    @classmethod
    def _batch(cls, value: Auto | int) -> Auto | int:
        if value != "auto" and not 1 <= int(value) <= 1024:
            raise ValueError('must be "auto" or a whole number from 1 to 1024')
        return value

    def chosen(self) -> dict[str, Any]:
        """The values that are not "auto"."""
        return {k: v for k, v in self.model_dump().items() if v != "auto"}


class DpoHyperparameters(Hyperparameters):
    """DPO's hyperparameters: the supervised ones and beta."""

    beta: Auto | float = Field("auto", description='"auto" or above 0 and at most 100')

    @field_validator("beta")
    @classmethod
    def _beta(cls, value: Auto | float) -> Auto | float:
        if value != "auto" and not 0 < float(value) <= 100:
            raise ValueError('must be "auto" or a number above 0 and at most 100')
        return value


class Supervised(_Request):
    hyperparameters: Hyperparameters = Field(
        default_factory=lambda: Hyperparameters.model_validate({})
    )


class Dpo(_Request):
    hyperparameters: DpoHyperparameters = Field(
        default_factory=lambda: DpoHyperparameters.model_validate({})
    )


class Method(_Request):
    type: str = Field(description='"supervised" or "dpo" (preference pairs)')
    supervised: Supervised | None = None
    dpo: Dpo | None = None

    @field_validator("type")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in METHODS:
            raise ValueError(
                f"method {value!r} is not supported; this server fine-tunes with "
                f"{', '.join(METHODS)} (LoRA) only"
            )
        return value


class FineTuningJobCreate(_Request):
    """POST /v1/fine_tuning/jobs."""

    model: str = Field(min_length=1, max_length=300, description="A base model id or name")
    training_file: str = Field(min_length=1, max_length=80)
    validation_file: str | None = Field(None, max_length=80)
    suffix: str | None = Field(None, min_length=1, max_length=64, description="Adapter name")
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    method: Method | None = None
    hyperparameters: Hyperparameters | None = Field(None, description="Legacy; prefer method")

    @property
    def method_type(self) -> str:
        """ "supervised" (the default) or "dpo"."""
        return self.method.type if self.method else "supervised"

    def chosen_hyperparameters(self) -> dict[str, Any]:
        """The explicit hyperparameters, from `method` or the legacy top-level field."""
        given = self.method and (
            self.method.dpo if self.method_type == "dpo" else self.method.supervised
        )
        method = given or None
        if method and self.hyperparameters:
            raise InvalidRequest(
                "hyperparameters are given twice; send them only in "
                "method.supervised.hyperparameters",
                param="hyperparameters",
            )
        chosen = method.hyperparameters if method else self.hyperparameters
        return chosen.chosen() if chosen else {}
