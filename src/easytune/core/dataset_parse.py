"""Parse an uploaded dataset with bounded rows, memory and time, away from the API's memory.

Rows are counted as they arrive before anything is parsed (Parquet from its row-group
metadata, text formats line by line). The parse itself runs in a forked child whose address
space may grow by at most DATASET_PARSE_MEMORY_MB and whose CPU time is limited; the child
writes the normalised examples next to the file (previews read them, never re-parse) and
sends back only the counts and the report. A child that dies is a 422, never an OOM here.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from easytune.core.errors import EasyTuneError, ProblemList, ValidationFailed
from easytune.settings import Settings

EXAMPLES_FILE = "examples.jsonl"  # the normalised examples, one JSON object per line
TEXT_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".txt")


@dataclass(frozen=True)
class Parsed:
    """What the API keeps of a parse: format, counts and the statistics report."""

    format: str
    source_format: str
    examples: int
    report: dict[str, Any]


def count_rows(file: Path, max_rows: int) -> None:
    """Refuse a file with more than `max_rows` records, without parsing it."""
    rows = _parquet_rows(file) if file.suffix == ".parquet" else _line_rows(file, max_rows)
    if rows is not None and rows > max_rows:
        raise _too_many_rows(rows, max_rows)


def _parquet_rows(file: Path) -> int | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(file).metadata.num_rows)
    except (pa.ArrowException, OSError):
        return None  # the parse reports the unreadable file with its own message


def _line_rows(file: Path, max_rows: int) -> int | None:
    if file.suffix not in TEXT_SUFFIXES:
        return None
    rows = 0
    with file.open("rb") as handle:
        for _ in handle:
            rows += 1
            if rows > max_rows:
                return rows
    return rows


def _too_many_rows(rows: int, max_rows: int) -> ValidationFailed:
    shown = f"more than {max_rows}" if rows == max_rows + 1 else str(rows)
    return ValidationFailed(
        f"the file holds {shown} records; the limit is {max_rows} "
        "(EASYTUNE_DATASET_MAX_ROWS): split it into smaller datasets",
        param="file",
        code="too_many_rows",
    )


def parse_bounded(settings: Settings, file: Path, format: str | None) -> Parsed:
    """Count rows, then parse and measure `file` in a bounded child; 4xx when it is refused."""
    count_rows(file, settings.dataset_max_rows)
    context = multiprocessing.get_context("fork")  # the child needs no re-import: fast
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, settings, file, format), daemon=True)
    child.start()
    sender.close()
    try:
        return _outcome(receiver, settings)
    finally:
        receiver.close()
        child.kill()
        child.join()


def _outcome(receiver: Connection, settings: Settings) -> Parsed:
    if not receiver.poll(settings.dataset_parse_seconds * 2):
        raise _refused("reading the file took longer than allowed (EASYTUNE_DATASET_PARSE_SECONDS)")
    try:
        message = receiver.recv()
    except EOFError:  # killed: the memory or CPU limit
        raise _refused(
            "reading the file needed more memory or time than allowed "
            "(EASYTUNE_DATASET_PARSE_MEMORY_MB, EASYTUNE_DATASET_PARSE_SECONDS)"
        ) from None
    if message[0] == "ok":
        parsed: Parsed = message[1]
        return parsed
    raise _error_from(message[1])


def _refused(why: str) -> ValidationFailed:
    return ValidationFailed(f"{why}; split the file or simplify it", param="file")


def _error_from(info: dict[str, Any]) -> EasyTuneError:
    if info.get("problems") is not None:
        return ProblemList(info["message"], info["problems"], param=info["param"])
    return ValidationFailed(info["message"], param=info["param"], code=info["code"])


def _child(sender: Connection, settings: Settings, file: Path, format: str | None) -> None:
    try:
        _limit_resources(settings)
        sender.send(("ok", parse_here(settings, file, format)))
    except EasyTuneError as exc:
        sender.send(("error", _error_info(exc)))
    except MemoryError:
        pass  # the parent reads the closed pipe as "needed more memory"
    finally:
        sender.close()
        os._exit(0)  # a forked child runs no atexit handlers of the server (or of pytest)


def _error_info(exc: EasyTuneError) -> dict[str, Any]:
    problems = exc.problems if isinstance(exc, ProblemList) else None
    return {"message": exc.message, "param": exc.param, "code": exc.code, "problems": problems}


def _limit_resources(settings: Settings) -> None:
    # The child starts with the server's mappings; it may grow by the budget, not more.
    budget = settings.dataset_parse_memory_mb * 1024 * 1024
    limit = _address_space() + budget
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    seconds = settings.dataset_parse_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _address_space() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def parse_here(settings: Settings, file: Path, format: str | None) -> Parsed:
    """Validate, measure and write the normalised examples (in the calling process)."""
    from easytune.core import datasets

    loaded = datasets.validate_file(file, format)
    if len(loaded) > settings.dataset_max_rows:
        raise _too_many_rows(len(loaded), settings.dataset_max_rows)
    report = datasets.measure(settings, loaded)
    tokens = int(report["stats"]["total_tokens"])
    if tokens > settings.dataset_max_tokens:
        raise ValidationFailed(
            f"the dataset holds {tokens} tokens; the limit is {settings.dataset_max_tokens} "
            "(EASYTUNE_DATASET_MAX_TOKENS): split it into smaller datasets",
            param="file",
            code="too_many_tokens",
        )
    write_examples(file.parent / EXAMPLES_FILE, (datasets.example_dict(e) for e in loaded.examples))
    return Parsed(loaded.format, loaded.source_format, len(loaded), report)


def write_examples(target: Path, rows: Any) -> None:
    """The normalised examples as JSONL, written under a temporary name then renamed."""
    staged = target.with_suffix(".tmp")
    with staged.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.chmod(staged, 0o600)
    os.replace(staged, target)
