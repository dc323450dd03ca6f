"""/api/v1/datasets: upload (multipart), list, show, preview, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, BinaryIO

from fastapi import APIRouter, File, Form, Query, UploadFile, status

from easytune.api.deps import CurrentUser, SessionDep, SettingsDep, require
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.datasets import DatasetPreview, DatasetPublic, DatasetsPublic
from easytune.core import datasets
from easytune.core.permissions import Permission
from easytune.core.storage import CHUNK_BYTES
from easytune.db.models import Visibility

router = APIRouter(prefix="/datasets", tags=["datasets"], responses=ERROR_RESPONSES)
Offset = Annotated[int, Query(ge=0)]


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[require(Permission.DATASETS_WRITE)]
)
def upload_dataset(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="JSON, JSONL, CSV, Parquet or TXT")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    format: Annotated[str | None, Form(description="Leave out to detect")] = None,
    visibility: Annotated[Visibility, Form()] = Visibility.PRIVATE,
) -> DatasetPublic:
    """Upload a dataset; 422 listing every bad line (nothing is stored) when invalid."""
    upload = datasets.Upload(
        _chunks(file.file), file.filename or "", name, format or None, visibility
    )
    return DatasetPublic.model_validate(datasets.create_dataset(session, settings, user, upload))


@router.get("", dependencies=[require(Permission.DATASETS_READ)])
def list_datasets(
    session: SessionDep,
    user: CurrentUser,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    mine: bool = False,
    format: str | None = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> DatasetsPublic:
    """Your datasets and shared ones (admins: all), newest first."""
    rows, total = datasets.list_datasets(
        session, user, offset, limit, mine=mine, format=format, name=name
    )
    return DatasetsPublic(data=[DatasetPublic.model_validate(d) for d in rows], count=total)


@router.get("/{dataset_id}", dependencies=[require(Permission.DATASETS_READ)])
def get_dataset(dataset_id: str, session: SessionDep, user: CurrentUser) -> DatasetPublic:
    """One dataset with its statistics."""
    return DatasetPublic.model_validate(datasets.get_dataset(session, user, dataset_id))


@router.get("/{dataset_id}/preview", dependencies=[require(Permission.DATASETS_READ)])
def preview_dataset(
    dataset_id: str,
    session: SessionDep,
    user: CurrentUser,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DatasetPreview:
    """A page of normalised examples, as training will see them."""
    dataset, rows = datasets.preview(session, user, dataset_id, offset, limit)
    return DatasetPreview.model_validate(
        {"data": rows, "count": dataset.examples, "offset": offset}
    )


@router.delete(
    "/{dataset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Permission.DATASETS_WRITE)],
)
def delete_dataset(dataset_id: str, session: SessionDep, user: CurrentUser) -> None:
    """Delete a dataset you own; 409 while an unfinished job uses it."""
    datasets.delete_dataset(session, user, dataset_id)
