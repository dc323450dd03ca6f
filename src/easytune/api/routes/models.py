"""/api/v1/models: base models (registered by admins) and adapters (trained by jobs)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from easytune.api.deps import CurrentUser, SessionDep, require
from easytune.api.schemas.common import ERROR_RESPONSES
from easytune.api.schemas.models import ModelCreate, ModelPublic, ModelsPublic
from easytune.core import models
from easytune.core.archive import zip_folder
from easytune.core.permissions import Permission
from easytune.db.models import ModelKind

router = APIRouter(prefix="/models", tags=["models"], responses=ERROR_RESPONSES)


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[require(Permission.MODELS_REGISTER)]
)
def register_model(body: ModelCreate, session: SessionDep, user: CurrentUser) -> ModelPublic:
    """Register a base model from a server path (checked: it loads config and tokenizer)."""
    request = models.BaseModelRequest(body.path, body.name, body.visibility)
    return ModelPublic.model_validate(models.register_base_model(session, user, request))


@router.get("", dependencies=[require(Permission.MODELS_READ)])
def list_models(
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    kind: ModelKind | None = None,
    base_model_id: str | None = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> ModelsPublic:
    """Base models and adapters you may see, newest first."""
    rows, total = models.list_models(
        session, user, offset, limit, kind=kind, base_model_id=base_model_id, name=name
    )
    return ModelsPublic(data=[ModelPublic.model_validate(m) for m in rows], count=total)


@router.get("/{model_id}", dependencies=[require(Permission.MODELS_READ)])
def get_model(model_id: str, session: SessionDep, user: CurrentUser) -> ModelPublic:
    """One model with its facts or lineage."""
    return ModelPublic.model_validate(models.get_model(session, user, model_id))


@router.get(
    "/{model_id}/download",
    dependencies=[require(Permission.MODELS_WRITE)],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def download_model(model_id: str, session: SessionDep, user: CurrentUser) -> StreamingResponse:
    """An adapter's folder as a zip (adapter_model.safetensors, adapter_config.json, ...)."""
    model, folder = models.adapter_folder(session, user, model_id)
    # Names are free text (a job name such as "海盗/v2"): no path separators in the zip, and
    # an HTTP header carries non-Latin-1 names only in RFC 5987 form.
    root = re.sub(r'[\\/\x00-\x1f"]+', "_", f"{model.name}-v{model.version}").strip(". ")
    return StreamingResponse(
        zip_folder(folder, root or model.id),
        media_type="application/zip",
        headers={"Content-Disposition": _attachment(f"{root or model.id}.zip")},
    )


def _attachment(filename: str) -> str:
    """Content-Disposition with an ASCII fallback name and the exact UTF-8 one (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.delete(
    "/{model_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Permission.MODELS_WRITE)],
)
def delete_model(model_id: str, session: SessionDep, user: CurrentUser) -> None:
    """Delete an adapter you own (and its files), or, as admin, an unused base model."""
    models.delete_model(session, user, model_id)
