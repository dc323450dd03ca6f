"""/api/v1/models: base models (registered by admins) and adapters (trained by jobs)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse

from easytune.api.deps import CurrentUser, OriginDep, SessionDep, require
from easytune.api.schemas.common import ERROR_RESPONSES, Offset
from easytune.api.schemas.models import ModelCreate, ModelPublic, ModelsPublic, ServingPublic
from easytune.core import models
from easytune.core.archive import zip_entries
from easytune.core.permissions import Permission
from easytune.db.models import ModelKind
from easytune.openai import serving

router = APIRouter(prefix="/models", tags=["models"], responses=ERROR_RESPONSES)


@router.post(
    "", status_code=status.HTTP_201_CREATED, dependencies=[require(Permission.MODELS_REGISTER)]
)
def register_model(
    body: ModelCreate, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> ModelPublic:
    """Register a base model from a server path (checked: it loads config and tokenizer)."""
    request = models.BaseModelRequest(body.path, body.name, body.visibility)
    return ModelPublic.model_validate(models.register_base_model(session, user, request, origin))


@router.get("", dependencies=[require(Permission.MODELS_READ)])
def list_models(
    session: SessionDep,
    user: CurrentUser,
    offset: Offset = 0,
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
def download_model(
    model_id: str, session: SessionDep, user: CurrentUser, origin: OriginDep
) -> StreamingResponse:
    """An adapter as a zip: the PEFT folder with a model card, and the run's lineage files."""
    package = models.adapter_package(session, user, model_id, origin)
    return StreamingResponse(
        zip_entries(package.entries),
        media_type="application/zip",
        headers={"Content-Disposition": _attachment(package.ascii_name, package.unicode_name)},
    )


def _attachment(ascii_name: str, unicode_name: str) -> str:
    """Content-Disposition: a safe ASCII name, and the exact UTF-8 one in RFC 5987 form."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(unicode_name, safe='')}"


@router.delete(
    "/{model_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[require(Permission.MODELS_WRITE)],
)
def delete_model(model_id: str, session: SessionDep, user: CurrentUser, origin: OriginDep) -> None:
    """Delete an adapter you own (and its files), or, as admin, an unused base model."""
    models.delete_model(session, user, model_id, origin)


# Like the download, it hands out where the adapter's files are: owners and engineers.
@router.get("/{model_id}/serving", dependencies=[require(Permission.MODELS_WRITE)])
def serving_recipe(model_id: str, session: SessionDep, user: CurrentUser) -> ServingPublic:
    """The `vllm serve ... --enable-lora --lora-modules name=path` command and the Ollama
    Modelfile for an adapter (documented, not run by EasyTune)."""
    return ServingPublic.model_validate(serving.recipe(session, user, model_id))
