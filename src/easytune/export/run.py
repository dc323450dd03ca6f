"""Run an export spec: build the files, hash them, write the result (or the error) line."""

from __future__ import annotations

import hashlib
import shutil
import sys
import traceback
from pathlib import Path
from typing import IO, Any

from easytune.export.formats import BUILDERS, WORK
from easytune.export.merge import check_adapter
from easytune.export.spec import ExportSpec
from easytune.export.stages import Stages
from easytune.training.errors import EngineError
from easytune.training.messages import EXPORT_DONE
from easytune.training.progress import ProgressWriter
from easytune.training.runner import _output_dir, classify, parse_json_spec

HASH_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """The file's sha256, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe_files(folder: Path) -> list[dict[str, Any]]:
    """Every file under the folder with its size and sha256 (names relative to it)."""
    return [
        {"name": str(p.relative_to(folder)), "size": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def parse_export_spec(raw: str) -> ExportSpec:
    """An ExportSpec from JSON text, or a BadSpecError listing every problem at once."""
    return parse_json_spec(ExportSpec, raw, "export")


def run_export(spec: ExportSpec, progress: ProgressWriter) -> dict[str, Any]:
    """Build the artefact folder from scratch (a retried attempt starts over) and describe it."""
    check_adapter(Path(spec.adapter_dir))
    out = spec.artifact_dir()
    if spec.artifact_subdir and out.exists():
        shutil.rmtree(out)  # a killed attempt's half files never mix with the new ones
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / WORK, ignore_errors=True)
    stages = Stages(progress, spec.format)
    built = BUILDERS[spec.format](spec, out, stages)
    files = describe_files(out)
    result = {
        "format": spec.format,
        "quantization": spec.quantization,
        "artifact_dir": str(out),
        "primary": built.primary,
        "files": files,
        **built.facts,
    }
    stages.done(EXPORT_DONE(file=built.primary), primary=built.primary)
    return result


def execute(spec_path: str | Path, stream: IO[str] | None = sys.stdout) -> int:
    """Export from a spec file; return 0 or the failure's exit code (error line written)."""
    raw = Path(spec_path).read_text(encoding="utf-8")
    progress = ProgressWriter(_output_dir(raw), stream=stream)
    try:
        progress.result(**run_export(parse_export_spec(raw), progress))
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        error = classify(exc)
        if type(error) is EngineError:
            traceback.print_exc(file=sys.stderr)
        progress.error(error.to_line())
        return error.exit_code
    finally:
        progress.close()
