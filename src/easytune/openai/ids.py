"""Ids of the OpenAI-compatible surface and how they map onto registry ids.

A base model is `<name>` for its first version, `<name>:v<N>` for a later one, an adapter is
`ft:<base name>:<adapter name>:v<N>`; both are also accepted by their registry id (`mdl_...`).
Name parts are made safe: any character other than letters, digits, `.`, `_` and `-` becomes
`-`, so a `:` inside a name never splits an id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FT_PREFIX = "ft:"
FILE_PREFIX = "file-"
JOB_PREFIX = "ftjob-"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_VERSION = re.compile(r"^v([1-9][0-9]{0,8})$")


def safe_name(name: str) -> str:
    """`name` with every character that could break an id replaced by `-`."""
    return _UNSAFE.sub("-", name) or "-"


def base_id(name: str, version: int) -> str:
    """The /v1 id of a base model."""
    return safe_name(name) if version == 1 else f"{safe_name(name)}:v{version}"


def adapter_id(base_name: str, name: str, version: int) -> str:
    """The /v1 id of an adapter: ft:<base name>:<adapter name>:v<N>."""
    return f"{FT_PREFIX}{safe_name(base_name)}:{safe_name(name)}:v{version}"


@dataclass(frozen=True)
class ModelName:
    """A parsed /v1 model id: the (safe) name and version looked up, and the base's name for
    an adapter id."""

    name: str
    version: int
    base_name: str | None = None


def parse_model_id(model: str) -> ModelName | None:
    """The name parts of an ft: or base id; None when `model` has neither form."""
    if model.startswith(FT_PREFIX):
        parts = model[len(FT_PREFIX) :].split(":")
        version = _version(parts[-1]) if len(parts) == 3 else None
        return ModelName(parts[1], version, parts[0]) if version else None
    name, _, suffix = model.partition(":")
    version = _version(suffix) if suffix else 1
    return ModelName(name, version) if version else None


def _version(text: str) -> int | None:
    match = _VERSION.match(text)
    return int(match.group(1)) if match else None


def file_id(dataset_id: str) -> str:
    """The /v1 file id of a dataset."""
    return FILE_PREFIX + dataset_id


def dataset_id(file: str) -> str:
    """The dataset id behind a /v1 file id (a bare dataset id is accepted too)."""
    return file.removeprefix(FILE_PREFIX)


def job_id(job: int) -> str:
    """The /v1 id of a fine-tuning job."""
    return f"{JOB_PREFIX}{job}"


def parse_job_id(text: str) -> int | None:
    """The job number behind `ftjob-<n>` (or a bare number); None when it is neither."""
    raw = text.removeprefix(JOB_PREFIX)
    return int(raw) if raw.isdigit() and len(raw) < 19 else None
