"""/api/v1/models/{id}/exports and /api/v1/exports: export jobs and their downloads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import FileResponse

from easytune.api.deps import (
    CurrentUser,
    ExecutorDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    require,
)
from easytune.api.routes.models import _attachment
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.exports import ExportCreate, ExportPublic, ExportsPublic
from easytune.api.schemas.jobs import JobPublic
from easytune.core import exports
from easytune.core.permissions import Permission

router = APIRouter(tags=["exports"], responses=ERROR_RESPONSES)


@router.post(
    "/models/{model_id}/exports",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.JOBS_CREATE)],
)
def create_export(
    model_id: str, body: ExportCreate, session: SessionDep, settings: SettingsDep,
    user: CurrentUser, executor: ExecutorDep, origin: OriginDep,
) -> JobPublic:  # fmt: skip
    """Queue an export job (kind `export`) of an adapter; follow it under /jobs/{id}."""
    request = exports.ExportRequest(body.format, body.quantization)
    job = exports.create_export(session, settings, user, model_id, request, executor, origin)
    return JobPublic.model_validate(job)


@router.get("/models/{model_id}/exports", dependencies=[require(Permission.MODELS_READ)])
def list_exports(model_id: str, session: SessionDep, user: CurrentUser) -> ExportsPublic:
    """Your exports of this adapter (admins: everyone's), newest first."""
    rows = exports.list_exports(session, user, model_id)
    return ExportsPublic(data=[ExportPublic.model_validate(r) for r in rows], count=len(rows))


@router.get(
    "/exports/{export_id}/download",
    dependencies=[require(Permission.MODELS_READ)],
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "Range"}},
)
def download_export(
    export_id: str,
    session: SessionDep,
    user: CurrentUser,
    origin: OriginDep,
    file: Annotated[str | None, Query(max_length=255, description="Default: the primary")] = None,
) -> FileResponse:
    """One file of an export, streamed; `Range` requests resume a broken download."""
    record, path = exports.export_file(session, user, export_id, file, origin)
    headers = {
        "Content-Disposition": _attachment(path.name, path.name),
        "X-Checksum-Sha256": _sha(record.files, path.name),
    }
    return FileResponse(path, media_type="application/octet-stream", headers=headers)


def _sha(files: list[dict[str, Any]], name: str) -> str:
    return str(next(item["sha256"] for item in files if item["name"] == name))


@router.delete(
    "/exports/{export_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Permission.MODELS_WRITE)],
)
def delete_export(
    export_id: str, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> None:
    """Delete an export you own (admins: any), files included."""
    exports.delete_export(session, user, export_id, origin)
