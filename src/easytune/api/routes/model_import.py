"""POST /api/v1/models/import: a PEFT adapter zip, scanned, then probed by a queued
`evaluation` job before it is usable; POST /api/v1/models/{id}/reprobe runs the probes again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from easytune.api.deps import (
    CurrentUser,
    ExecutorDep,
    OriginDep,
    SessionDep,
    SettingsDep,
    reacquire_database,
    release_database,
    require,
)
from easytune.api.routes.datasets import file_chunks, parse_upload_form
from easytune.api.schemas.common import ERROR_RESPONSES, ErrorResponse, Schema
from easytune.api.schemas.models import ModelPublic
from easytune.core.imports import probes
from easytune.core.imports.service import AdapterUpload, import_adapter
from easytune.core.permissions import Permission

router = APIRouter(prefix="/models", tags=["models"], responses=ERROR_RESPONSES)


class ImportForm(Schema):
    """The form fields of an adapter import (the file is read apart)."""

    name: str = Field(min_length=1, max_length=200)
    base_model_id: str = Field(min_length=1, max_length=64)


IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "name", "base_model_id"],
                    "properties": {
                        "file": {"type": "string", "format": "binary",
                                 "description": "A PEFT LoRA adapter folder, zipped"},
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "base_model_id": {"type": "string", "minLength": 1, "maxLength": 64},
                    },
                }
            }
        },
    }
}  # fmt: skip


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.MODELS_WRITE)],
    openapi_extra=IMPORT_BODY,
    responses={413: {"model": ErrorResponse}},
)
async def import_model(
    request: Request, session: SessionDep, settings: SettingsDep, origin: OriginDep,
    executor: ExecutorDep,
) -> ModelPublic:  # fmt: skip
    """Import a PEFT LoRA adapter zip onto a base model. It is scanned first (422 naming every
    reason: pickle files, unsafe zip entries, a config or tensors that do not fit the base,
    NaN/inf, weights outside the LoRA layers, oversized updates); a passing adapter is
    registered as `probing` and its probe job (kind `evaluation`, `import_report.probe_job_id`)
    is queued; it becomes `usable` when that job's safety and general probes pass, `flagged`
    when the refusal rate drops, `probe_failed` when the job fails or is cancelled. Until
    `usable` it cannot be downloaded, exported, evaluated or served (409 naming why)."""
    await run_in_threadpool(release_database, request, session)  # no slot held while reading
    form = await request.form(max_files=1, max_fields=4)
    try:
        file, fields = parse_upload_form(form, ImportForm)
        await reacquire_database(request)
        assert origin.user is not None
        upload = AdapterUpload(file_chunks(file.file), fields.name, fields.base_model_id)
        model = await run_in_threadpool(
            import_adapter, session, settings, origin.user, upload, origin, executor
        )
    finally:
        await form.close()
    return ModelPublic.model_validate(model)


@router.post("/{model_id}/reprobe", dependencies=[require(Permission.MODELS_WRITE)])
def reprobe_model(
    model_id: str, session: SessionDep, settings: SettingsDep, user: CurrentUser,
    origin: OriginDep, executor: ExecutorDep,
) -> ModelPublic:  # fmt: skip
    """Run the probes of an imported adapter again (its owner or an admin): a new probe job
    is queued and the adapter is `probing`, unusable, until its verdict. 409 while its probe
    job is still queued or running, or for a model that was not imported."""
    model = probes.reprobe(session, settings, user, model_id, executor, origin)
    return ModelPublic.model_validate(model)
