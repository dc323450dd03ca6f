"""Datasets: upload (stream to disk, hash, validate every line, measure), list, preview, delete.

An invalid file is refused with every bad line listed, and leaves nothing behind: no row, no
file. A valid one is staged under a temporary name and renamed into DATA_DIR/datasets/<id>/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit, dataset_parse, storage
from easytune.core.audit import Origin
from easytune.core.errors import (
    Conflict,
    InsufficientStorage,
    PayloadTooLarge,
    ProblemList,
    ValidationFailed,
)
from easytune.core.stats_tokenizer import stats_tokenizer
from easytune.db.models import Dataset, User, Visibility
from easytune.db.repositories import datasets as repo
from easytune.db.repositories.datasets import DatasetFilter
from easytune.jobs import repository as jobs_repo
from easytune.settings import Settings
from easytune.training.data import (
    DataValidationError,
    Example,
    LoadedDataset,
    Message,
    dataset_report,
    load_dataset,
)
from easytune.training.data.tooltemplate import format_call

AREA = "datasets"
SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".txt", ".md", ".markdown", ".zip")
# Length the upload report counts truncation at; plans choose their own max_length.
REPORT_MAX_LENGTH = 1024
# Multipart framing and form fields around the file, allowed on top of the quota's room.
UPLOAD_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """A dataset file as received: its chunks and what the client called it."""

    chunks: Iterable[bytes]
    filename: str
    name: str
    format: str | None = None
    visibility: Visibility = Visibility.PRIVATE


def room_left(session: Session, settings: Settings, owner: User, declared: int | None) -> int:
    """Bytes `owner` may still upload (the upload limit, or less under the quota); 507 when a
    declared length already would not fit."""
    if settings.dataset_quota_bytes == 0:
        return settings.max_upload_bytes
    left = settings.dataset_quota_bytes - repo.bytes_owned(session, owner.id)
    if left <= 0 or (declared is not None and declared > left + UPLOAD_OVERHEAD):
        raise _over_quota(settings, max(left, 0))
    return min(settings.max_upload_bytes, left)


def _over_quota(settings: Settings, left: int) -> InsufficientStorage:
    return InsufficientStorage(
        f"this upload would pass your dataset storage quota of "
        f"{settings.dataset_quota_bytes} bytes ({left} bytes left); delete datasets you no "
        "longer need, or ask an admin to raise EASYTUNE_DATASET_QUOTA_BYTES",
        param="file",
    )


def create_dataset(
    session: Session,
    settings: Settings,
    owner: User,
    upload: Upload,
    room: int | None = None,
    origin: Origin | None = None,
) -> Dataset:
    """Store, validate and measure an upload; ProblemList with every bad line if invalid.

    `room`: the bytes the owner may still store (room_left); past it the upload is a 507."""
    suffix = _suffix(upload.filename)
    dataset_id = storage.new_id("ds")
    parent = storage.area(settings.data_dir, AREA)
    staged = storage.staging_dir(parent, dataset_id)
    try:
        file = staged / f"data{suffix}"
        copied = _copy(upload.chunks, file, settings, room)
        parsed = dataset_parse.parse_bounded(settings, file, upload.format)
        storage.private(staged)
        folder = storage.publish(staged, parent, dataset_id)
    except BaseException:
        storage.remove_tree(staged)
        raise
    storage.remove_on_rollback(session, folder)
    dataset = Dataset(
        id=dataset_id, owner_id=owner.id, name=upload.name, visibility=upload.visibility,
        format=parsed.format, source_format=parsed.source_format, filename=upload.filename[:255],
        path=str(folder / file.name), size_bytes=copied.size, sha256=copied.sha256,
        examples=parsed.examples, report=parsed.report,
    )  # fmt: skip
    repo.add(session, dataset)
    audit.record(
        session, "dataset.created", audit.by(owner, origin), target_ref=("dataset", dataset.id),
        name=dataset.name, filename=dataset.filename, size_bytes=dataset.size_bytes,
        sha256=dataset.sha256, examples=dataset.examples,
    )  # fmt: skip
    return dataset


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationFailed(
            f"file {filename!r}: unsupported type {suffix or '(none)'}; upload one of "
            f"{', '.join(SUFFIXES)}",
            param="file",
        )
    return suffix


def _copy(
    chunks: Iterable[bytes], file: Path, settings: Settings, room: int | None
) -> storage.CopyResult:
    limit = settings.max_upload_bytes if room is None else min(room, settings.max_upload_bytes)
    try:
        return storage.copy_stream(chunks, file, limit)
    except storage.TooLarge:
        if limit < settings.max_upload_bytes:
            raise _over_quota(settings, limit) from None
        raise PayloadTooLarge(
            f"the file is larger than the upload limit of {limit} bytes; split it, or raise "
            "EASYTUNE_MAX_UPLOAD_BYTES",
            param="file",
        ) from None


def validate_file(file: Path, format: str | None) -> LoadedDataset:
    """Every record of `file` read and checked; ProblemList naming each bad line."""
    try:
        return load_dataset(file, format)
    except DataValidationError as exc:
        problems = [e.to_dict() for e in exc.errors]
        first = exc.errors[0] if exc.errors else None
        raise ProblemList(
            str(exc), problems, param=f"file.line.{first.line}" if first else "file"
        ) from None
    except ValueError as exc:  # an unknown format, or a format that cannot read this file
        raise ValidationFailed(str(exc), param="format") from None


def measure(settings: Settings, loaded: LoadedDataset) -> dict[str, Any]:
    """The statistics report stored with the dataset."""
    tokenizer, tokenizer_name = stats_tokenizer(settings)
    report = dataset_report(loaded.examples, tokenizer, REPORT_MAX_LENGTH, format=loaded.format)
    notes = [*(str(n) for n in loaded.notes), *report.notes]
    details = [*(n.to_dict() for n in loaded.notes), *report.note_details]
    # What training will ignore, beside the report's own warnings: {code, message, params}, the
    # words themselves coded in `detail` for the UI to render in the reader's language.
    ignored = [
        {"code": "ignored", "message": str(w), "params": {}, "detail": w.to_dict()}
        for w in loaded.warnings
    ]
    return {
        **report.to_dict(), "notes": notes, "note_details": details,
        "warnings": [*report.warnings, *ignored],
        "kind": loaded.kind, "tokenizer": tokenizer_name,
    }  # fmt: skip


def get_dataset(session: Session, user: User, dataset_id: str) -> Dataset:
    """A dataset `user` may see; NotFound otherwise."""
    dataset = repo.get(session, dataset_id)
    access.check_read(user, dataset, "dataset", dataset_id)
    assert dataset is not None
    return dataset


def list_datasets(
    session: Session, user: User, offset: int, limit: int, *, mine: bool = False,
    format: str | None = None, name: str | None = None,
) -> tuple[list[Dataset], int]:  # fmt: skip
    """A page of the datasets `user` sees (own + shared; admins all), newest first."""
    where = DatasetFilter(
        viewer_id=access.viewer_scope(user),
        owner_id=user.id if mine else None,
        format=format,
        name=name,
    )
    return repo.page(session, where, offset, limit)


def preview(
    session: Session, settings: Settings, user: User, dataset_id: str, offset: int, limit: int
) -> tuple[Dataset, list[dict[str, Any]]]:
    """Normalised examples `offset`..`offset + limit` (as training will see them), read from
    the examples stored at upload; never a re-parse of the file per request."""
    dataset = get_dataset(session, user, dataset_id)
    stored = Path(dataset.path).parent / dataset_parse.EXAMPLES_FILE
    if not stored.is_file():  # uploaded before examples were stored: store them once now
        dataset_parse.parse_bounded(settings, Path(dataset.path), dataset.format)
    with stored.open(encoding="utf-8") as lines:
        return dataset, [json.loads(line) for line in islice(lines, offset, offset + limit)]


def example_dict(example: Example) -> dict[str, Any]:
    """An example as JSON: its source line and messages (chat) or text."""
    if example.messages is not None:
        messages = [{"role": m.role, "content": _shown(m)} for m in example.messages]
        pair = {"rejected": example.rejected, "label": example.label}
        return {"line": example.line, "messages": messages, "text": None, **pair}
    return {"line": example.line, "messages": None, "text": example.text}


def _shown(message: Message) -> str:
    # A tool call shows in the `<tool_call>` syntax the fallback template trains.
    calls = [format_call(c) for c in message.tool_calls]
    return "\n".join([message.content, *calls]).strip() if calls else message.content


def delete_dataset(
    session: Session, user: User, dataset_id: str, origin: Origin | None = None
) -> None:
    """Delete row and file; refused while an unfinished job trains on it."""
    dataset = get_dataset(session, user, dataset_id)
    access.check_owner(user, dataset, "dataset", dataset_id)
    jobs = jobs_repo.unfinished_on_dataset(session, dataset_id)
    if jobs:
        raise Conflict(
            f"dataset {dataset_id} is used by unfinished job(s) {', '.join(map(str, jobs))}; "
            "cancel them or wait until they finish",
            param="id",
        )
    folder = Path(dataset.path).parent
    repo.delete(session, dataset)
    audit.record(
        session, "dataset.deleted", audit.by(user, origin), target_ref=("dataset", dataset_id),
        name=dataset.name, sha256=dataset.sha256, owner_id=dataset.owner_id,
    )  # fmt: skip
    storage.remove_after_commit(session, folder)
