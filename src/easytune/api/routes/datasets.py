"""/api/v1/datasets: upload (multipart), list, show, preview, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, BinaryIO, TypeVar

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from easytune.api.deps import (
    CurrentUser,
    OriginDep,
    SessionDep,
    SettingsDep,
    reacquire_database,
    release_database,
    require,
)
from easytune.api.schemas.common import ERROR_RESPONSES, ErrorResponse, Offset, Schema
from easytune.api.schemas.datasets import DatasetPreview, DatasetPublic, DatasetsPublic
from easytune.core import datasets
from easytune.core.permissions import Permission
from easytune.core.storage import CHUNK_BYTES
from easytune.db.models import Visibility

FormT = TypeVar("FormT", bound=BaseModel)

router = APIRouter(prefix="/datasets", tags=["datasets"], responses=ERROR_RESPONSES)
UPLOAD_TYPES = "JSON, JSONL, CSV, Parquet, TXT, Markdown or a zip of text files"


def file_chunks(file: BinaryIO) -> Iterator[bytes]:
    """The chunks of an uploaded file, as the dataset service reads them."""
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


class UploadForm(Schema):
    """The form fields of an upload (the file is read apart)."""

    name: str = Field(min_length=1, max_length=200)
    format: str | None = Field(None, max_length=32, description="Leave out to detect")
    visibility: Visibility = Visibility.PRIVATE


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "name"],
                    "properties": {
                        "file": {
                            "type": "string", "format": "binary",
                            "description": "JSON, JSONL, CSV, Parquet or TXT",
                        },
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "format": {"type": "string", "maxLength": 32,
                                   "description": "Leave out to detect"},
                        "visibility": {"type": "string", "enum": [v.value for v in Visibility],
                                       "default": "private"},
                    },
                }
            }
        },
    }
}  # fmt: skip


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.DATASETS_WRITE)],
    openapi_extra=UPLOAD_BODY,
    responses={413: {"model": ErrorResponse}, 507: {"model": ErrorResponse}},
)
async def upload_dataset(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    origin: OriginDep,
) -> DatasetPublic:  # fmt: skip
    """Upload a dataset (multipart: file, name, format, visibility); 422 listing every bad
    line (nothing is stored) when invalid, 507 past your storage quota.

    The caller is authenticated and authorised, and the declared size checked against the
    quota, before a byte of the body is read."""
    declared = _declared_length(request)
    room = await run_in_threadpool(datasets.room_left, session, settings, user, declared)
    await run_in_threadpool(release_database, request, session)  # no slot held while reading
    form = await request.form(max_files=1, max_fields=8)
    try:
        file, fields = parse_upload_form(form, UploadForm)
        await reacquire_database(request)
        upload = datasets.Upload(
            file_chunks(file.file), file.filename or "", fields.name, fields.format or None,
            fields.visibility,
        )  # fmt: skip
        dataset = await run_in_threadpool(
            datasets.create_dataset, session, settings, user, upload, room, origin
        )
    finally:
        await form.close()
    return DatasetPublic.model_validate(dataset)


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return None


def parse_upload_form(form: FormData, schema: type[FormT]) -> tuple[StarletteUpload, FormT]:
    """The multipart `file` and the other fields validated by `schema`; a 422 naming every
    missing or bad field (the file included) at once."""
    file = form.get("file")
    problems: list[dict[str, Any]] = []
    if not isinstance(file, StarletteUpload):
        problems.append({"type": "missing", "loc": ("body", "file"), "msg": "", "input": None})
    fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
    try:
        parsed = schema.model_validate(fields)
    except ValidationError as exc:
        problems += [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
    if problems:
        raise RequestValidationError(problems)
    assert isinstance(file, StarletteUpload)
    return file, parsed


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
    settings: SettingsDep,
    user: CurrentUser,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> DatasetPreview:
    """A page of normalised examples, as training will see them."""
    dataset, rows = datasets.preview(session, settings, user, dataset_id, offset, limit)
    return DatasetPreview.model_validate(
        {"data": rows, "count": dataset.examples, "offset": offset}
    )


@router.delete(
    "/{dataset_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Permission.DATASETS_WRITE)],
)
def delete_dataset(
    dataset_id: str, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> None:
    """Delete a dataset you own; 409 while an unfinished job uses it."""
    datasets.delete_dataset(session, user, dataset_id, origin)
