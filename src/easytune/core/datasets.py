"""Datasets: upload (stream to disk, hash, validate every line, measure), list, preview, delete.

An invalid file is refused with every bad line listed, and leaves nothing behind: no row, no
file. A valid one is staged under a temporary name and renamed into DATA_DIR/datasets/<id>/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, storage
from easytune.core.errors import Conflict, PayloadTooLarge, ProblemList, ValidationFailed
from easytune.core.stats_tokenizer import stats_tokenizer
from easytune.db.models import Dataset, User, Visibility
from easytune.db.repositories import datasets as repo
from easytune.db.repositories.datasets import DatasetFilter
from easytune.settings import Settings
from easytune.training.data import (
    DataValidationError,
    Example,
    LoadedDataset,
    dataset_report,
    load_dataset,
)

AREA = "datasets"
SUFFIXES = (".jsonl", ".json", ".csv", ".parquet", ".txt")
# Length the upload report counts truncation at; plans choose their own max_length.
REPORT_MAX_LENGTH = 1024


@dataclass(frozen=True)
class Upload:
    """A dataset file as received: its chunks and what the client called it."""

    chunks: Iterable[bytes]
    filename: str
    name: str
    format: str | None = None
    visibility: Visibility = Visibility.PRIVATE


def create_dataset(session: Session, settings: Settings, owner: User, upload: Upload) -> Dataset:
    """Store, validate and measure an upload; ProblemList with every bad line if invalid."""
    suffix = _suffix(upload.filename)
    dataset_id = storage.new_id("ds")
    parent = storage.area(settings.data_dir, AREA)
    staged = storage.staging_dir(parent, dataset_id)
    try:
        file = staged / f"data{suffix}"
        copied = _copy(upload.chunks, file, settings.max_upload_bytes)
        loaded = _validate(file, upload.format)
        report = _report(settings, loaded)
        folder = storage.publish(staged, parent, dataset_id)
    except BaseException:
        storage.remove_tree(staged)
        raise
    storage.remove_on_rollback(session, folder)
    dataset = Dataset(
        id=dataset_id, owner_id=owner.id, name=upload.name, visibility=upload.visibility,
        format=loaded.format, source_format=loaded.source_format, filename=upload.filename[:255],
        path=str(folder / file.name), size_bytes=copied.size, sha256=copied.sha256,
        examples=len(loaded), report=report,
    )  # fmt: skip
    return repo.add(session, dataset)


def _suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationFailed(
            f"file {filename!r}: unsupported type {suffix or '(none)'}; upload one of "
            f"{', '.join(SUFFIXES)}",
            param="file",
        )
    return suffix


def _copy(chunks: Iterable[bytes], file: Path, limit: int) -> storage.CopyResult:
    try:
        return storage.copy_stream(chunks, file, limit)
    except storage.TooLarge:
        raise PayloadTooLarge(
            f"the file is larger than the upload limit of {limit} bytes; split it, or raise "
            "EASYTUNE_MAX_UPLOAD_BYTES",
            param="file",
        ) from None


def _validate(file: Path, format: str | None) -> LoadedDataset:
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


def _report(settings: Settings, loaded: LoadedDataset) -> dict[str, Any]:
    tokenizer, tokenizer_name = stats_tokenizer(settings)
    report = dataset_report(loaded.examples, tokenizer, REPORT_MAX_LENGTH, format=loaded.format)
    notes = [*loaded.notes, *report.notes]
    return {**report.to_dict(), "notes": notes, "tokenizer": tokenizer_name}


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
    session: Session, user: User, dataset_id: str, offset: int, limit: int
) -> tuple[Dataset, list[dict[str, Any]]]:
    """Normalised examples `offset`..`offset + limit` (as training will see them)."""
    dataset = get_dataset(session, user, dataset_id)
    loaded = load_dataset(dataset.path, dataset.format)
    return dataset, [example_dict(ex) for ex in loaded.examples[offset : offset + limit]]


def example_dict(example: Example) -> dict[str, Any]:
    """An example as JSON: its source line and messages (chat) or text."""
    if example.messages is not None:
        messages = [{"role": m.role, "content": m.content} for m in example.messages]
        return {"line": example.line, "messages": messages, "text": None}
    return {"line": example.line, "messages": None, "text": example.text}


def delete_dataset(session: Session, user: User, dataset_id: str) -> None:
    """Delete row and file; refused while an unfinished job trains on it."""
    dataset = get_dataset(session, user, dataset_id)
    access.check_owner(user, dataset, "dataset", dataset_id)
    jobs = repo.active_job_ids(session, dataset_id)
    if jobs:
        raise Conflict(
            f"dataset {dataset_id} is used by unfinished job(s) {', '.join(map(str, jobs))}; "
            "cancel them or wait until they finish",
            param="id",
        )
    folder = Path(dataset.path).parent
    repo.delete(session, dataset)
    storage.remove_after_commit(session, folder)
