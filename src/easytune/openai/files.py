"""/v1/files: OpenAI's files of purpose `fine-tune` are the platform's datasets (`file-<dataset
id>`), uploaded and validated by the dataset service exactly like /api/v1/datasets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import datasets
from easytune.core.errors import InvalidRequest, NotFound
from easytune.db.models import Dataset, User
from easytune.openai import ids
from easytune.settings import Settings

PURPOSE = "fine-tune"
LIST_LIMIT = 10000


def file_object(dataset: Dataset) -> dict[str, Any]:
    """OpenAI's file object for a dataset."""
    return {
        "id": ids.file_id(dataset.id), "object": "file", "bytes": dataset.size_bytes,
        "created_at": int(dataset.created_at.timestamp()), "filename": dataset.filename,
        "purpose": PURPOSE, "status": "processed", "status_details": None, "expires_at": None,
        "easytune_format": dataset.format, "easytune_examples": dataset.examples,
    }  # fmt: skip


def upload(
    session: Session, settings: Settings, user: User, chunks: Iterable[bytes], filename: str,
    purpose: str,
) -> Dataset:  # fmt: skip
    """Validate and store a fine-tuning file as a private dataset named after the file."""
    if purpose != PURPOSE:
        raise InvalidRequest(
            f"purpose {purpose!r} is not supported; upload training data with purpose {PURPOSE!r}",
            param="purpose",
        )
    request = datasets.Upload(chunks, filename, filename[:200] or "upload")
    return datasets.create_dataset(session, settings, user, request)


def get(session: Session, user: User, file: str, param: str = "file_id") -> Dataset:
    """The dataset behind a file id the caller may see; 404 naming `param` otherwise."""
    try:
        return datasets.get_dataset(session, user, ids.dataset_id(file))
    except NotFound:
        raise NotFound(f"no file with id {file!r}", param=param) from None


def page(session: Session, user: User, after: str | None, limit: int) -> tuple[list[Dataset], bool]:
    """Files newest first, after the file `after` (a cursor), and whether more follow."""
    rows, _ = datasets.list_datasets(session, user, 0, LIST_LIMIT)
    if after:
        cursor = ids.dataset_id(after)
        position = next((i for i, row in enumerate(rows) if row.id == cursor), None)
        if position is None:
            raise NotFound(f"no file with id {after!r}", param="after")
        rows = rows[position + 1 :]
    return rows[:limit], len(rows) > limit


def delete(session: Session, user: User, file: str) -> dict[str, Any]:
    """Delete a file you own (refused while an unfinished job trains on it)."""
    dataset = get(session, user, file)
    datasets.delete_dataset(session, user, dataset.id)
    return {"id": ids.file_id(dataset.id), "object": "file", "deleted": True}
