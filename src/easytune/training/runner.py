"""Run a spec with every failure classified: the JSON error line and a distinct exit code."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import IO, Any, TypeVar

import torch
from pydantic import BaseModel, ValidationError

from easytune.training.distributed import current
from easytune.training.errors import (
    BadSpecError,
    EngineError,
    InterruptedRunError,
    gpu_oom,
    host_oom,
)
from easytune.training.progress import ProgressWriter
from easytune.training.spec import TrainSpec

SpecT = TypeVar("SpecT", bound=BaseModel)


def spec_problems(error: ValidationError) -> list[dict[str, str]]:
    """Every pydantic problem as {param, message}, dotted like `train.learning_rate`."""
    return [
        {"param": ".".join(str(part) for part in e["loc"]), "message": e["msg"]}
        for e in error.errors()
    ]


def parse_json_spec(model: type[SpecT], raw: str, what: str) -> SpecT:
    """A `model` spec from JSON text, or a BadSpecError listing every problem at once
    ("the {what} spec is invalid: ..."); training, export and evaluation specs alike."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        problems = spec_problems(exc)
        text = "; ".join(f"{p['param'] or '(spec)'}: {p['message']}" for p in problems)
        raise BadSpecError(
            f"the {what} spec is invalid: {text}",
            param=problems[0]["param"] if problems else None,
            data={"problems": problems},
        ) from exc


def parse_spec(raw: str) -> TrainSpec:
    """A TrainSpec from JSON text, or a BadSpecError listing every problem at once."""
    return parse_json_spec(TrainSpec, raw, "training")


def _output_dir(raw: str) -> str | None:
    # Even an invalid spec usually names its output folder; the error line belongs there too.
    try:
        value = json.loads(raw).get("output_dir")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def classify(exc: BaseException) -> EngineError:
    """Map any exception to the engine's error classes."""
    if isinstance(exc, EngineError):
        return exc
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return gpu_oom(str(exc))
    if isinstance(exc, MemoryError):
        return host_oom()
    if isinstance(exc, KeyboardInterrupt):
        return InterruptedRunError("the run was interrupted")
    return EngineError(f"internal error: {type(exc).__name__}: {exc}")


def run_spec(spec: TrainSpec, progress: ProgressWriter) -> dict[str, Any]:
    from easytune.training.recipe import TrainRecipe

    return TrainRecipe(spec, progress).run()


def execute(spec_path: str | Path, stream: IO[str] | None = sys.stdout) -> int:
    """Train from a spec file; return 0 or the failure's exit code (error line written)."""
    raw = Path(spec_path).read_text(encoding="utf-8")
    # Under torchrun only rank 0 reports; the others' errors still reach stderr (below).
    main = current().is_main
    progress = ProgressWriter(_output_dir(raw) if main else None, stream=stream if main else None)
    try:
        run_spec(parse_spec(raw), progress)
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        error = classify(exc)
        if type(error) is EngineError:
            traceback.print_exc(file=sys.stderr)
        progress.error(error.to_line())
        if not main:
            print(json.dumps(error.to_line(), ensure_ascii=False), file=sys.stderr)
        return error.exit_code
    finally:
        progress.close()
