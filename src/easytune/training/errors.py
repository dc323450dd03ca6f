"""Classified engine failures: each has a stable code, a distinct exit status and a fix hint.

The worker maps the exit status and the final `{"type": "error", ...}` line to a failed job.
"""

from __future__ import annotations

from typing import Any, ClassVar

from easytune.errors import EasyTuneError


class EngineError(EasyTuneError):
    """Base of every classified failure; `code` and `exit_code` are fixed per class. One that
    reaches a request (it should not: callers classify it) is the server's failure, a 500."""

    status_code: ClassVar[int] = 500
    code = "internal"
    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, param: str | None = None, data: Any = None) -> None:
        super().__init__(message, param=param)
        self.data = data

    def to_line(self) -> dict[str, Any]:
        """The JSON error line the engine prints last before exiting."""
        line: dict[str, Any] = {
            "type": "error",
            "code": self.code,
            "message": self.message,
            "param": self.param,
        }
        if self.data is not None:
            line["data"] = self.data
        return line


class BadSpecError(EngineError, ValueError):
    code = "bad_spec"
    exit_code = 10


class BadDataError(EngineError, ValueError):
    code = "bad_data"
    exit_code = 11


class ModelLoadError(EngineError):
    code = "model_load"
    exit_code = 12


class MethodUnavailableError(EngineError):
    """The spec asks for a method this machine cannot run (e.g. QLoRA without CUDA)."""

    code = "method_unavailable"
    exit_code = 13


class NoStepsError(EngineError):
    code = "no_steps"
    exit_code = 14


class NonFiniteLossError(EngineError, ArithmeticError):
    code = "nan_loss"
    exit_code = 15


class GpuOutOfMemoryError(EngineError, MemoryError):
    code = "cuda_oom"
    exit_code = 16


class HostOutOfMemoryError(EngineError, MemoryError):
    code = "host_oom"
    exit_code = 17


class ForgettingStopError(EngineError):
    """The CF score passed the user's stop threshold."""

    code = "cf_stop"
    exit_code = 18


class NonFiniteWeightsError(EngineError, ArithmeticError):
    code = "nan_weights"
    exit_code = 19


class InterruptedRunError(EngineError):
    code = "interrupted"
    exit_code = 130


ERROR_CLASSES: tuple[type[EngineError], ...] = (
    EngineError,
    BadSpecError,
    BadDataError,
    ModelLoadError,
    MethodUnavailableError,
    NoStepsError,
    NonFiniteLossError,
    GpuOutOfMemoryError,
    HostOutOfMemoryError,
    ForgettingStopError,
    NonFiniteWeightsError,
    InterruptedRunError,
)

EXIT_CODES: dict[str, int] = {cls.code: cls.exit_code for cls in ERROR_CLASSES}


def gpu_oom(detail: str) -> GpuOutOfMemoryError:
    """The CUDA out-of-memory failure with the usual ways out."""
    return GpuOutOfMemoryError(
        "out of GPU memory: lower train.batch_size (raise train.gradient_accumulation to keep "
        "the effective batch), lower data.max_length, turn on train.gradient_checkpointing, "
        f"or use QLoRA (lora.quantization=4bit) ({detail.splitlines()[0][:200]})",
        param="train.batch_size",
    )


def host_oom() -> HostOutOfMemoryError:
    """The host (CPU RAM) out-of-memory failure."""
    return HostOutOfMemoryError(
        "out of host memory: lower train.batch_size or data.max_length, use a smaller base "
        "model, or run on a machine with more RAM",
        param="train.batch_size",
    )
