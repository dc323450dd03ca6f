"""Models as the OpenAI API names them: the registry's base models and adapters that the caller
may use, under /v1 ids (easytune.openai.ids), and the generation target behind an id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from easytune.core import models, playground
from easytune.core.errors import NotFound
from easytune.core.inference import Target
from easytune.db.models import ImportStatus, ModelKind, ModelRecord, User
from easytune.openai import ids

LIST_LIMIT = 1000


@dataclass(frozen=True)
class PublicModel:
    """A registry model and its /v1 id (and its base's, for an adapter)."""

    id: str
    record: ModelRecord
    parent: str | None = None


def model_not_found(model: str, param: str = "model") -> NotFound:
    """OpenAI's 404 for a model that does not exist or that the caller may not use."""
    return NotFound(
        f"The model {model!r} does not exist or you do not have access to it; "
        "GET /v1/models lists the ones you can use",
        param=param,
        code="model_not_found",
    )


def list_public(session: Session, user: User) -> list[PublicModel]:
    """Every base model and adapter `user` may see and use, newest first (an imported adapter
    that its probes have not cleared is left out)."""
    rows, _ = models.list_models(session, user, 0, LIST_LIMIT)
    rows = [row for row in rows if row.import_status in (None, ImportStatus.USABLE)]
    bases = {row.id: row for row in rows if row.kind == ModelKind.BASE}
    return [_public(session, user, row, bases) for row in rows]


def find(session: Session, user: User, model: str, param: str = "model") -> PublicModel:
    """The model behind a /v1 id or a registry id; model_not_found when absent or not visible."""
    record = _by_registry_id(session, user, model) or _by_name(session, user, model)
    if record is None:
        raise model_not_found(model, param)
    return _public(session, user, record, {})


def target(session: Session, user: User, model: str) -> tuple[PublicModel, Target]:
    """What to generate with for `model`, checked like the playground checks it."""
    found = find(session, user, model)
    return found, playground.target_for(session, user, found.record.id)


def public_id(session: Session, user: User, record: ModelRecord) -> str:
    """The /v1 id of a registry model."""
    return _public(session, user, record, {}).id


def _public(
    session: Session, user: User, row: ModelRecord, bases: dict[str, ModelRecord]
) -> PublicModel:
    if row.kind == ModelKind.BASE:
        return PublicModel(ids.base_id(row.name, row.version), row)
    base = _base_of(session, user, row, bases)
    base_name = base.name if base else "unknown-base"
    parent = ids.base_id(base.name, base.version) if base else None
    return PublicModel(ids.adapter_id(base_name, row.name, row.version), row, parent)


def _base_of(
    session: Session, user: User, row: ModelRecord, bases: dict[str, ModelRecord]
) -> ModelRecord | None:
    if row.base_model_id is None:
        return None
    if row.base_model_id in bases:
        return bases[row.base_model_id]
    try:
        return models.get_model(session, user, row.base_model_id)
    except NotFound:
        return None


def _by_registry_id(session: Session, user: User, model: str) -> ModelRecord | None:
    try:
        return models.get_model(session, user, model)
    except NotFound:
        return None


def _by_name(session: Session, user: User, model: str) -> ModelRecord | None:
    name = ids.parse_model_id(model)
    if name is None:
        return None
    kind = ModelKind.BASE if name.base_name is None else ModelKind.ADAPTER
    candidates = models.visible_named_like(session, user, _like(name.name), name.version)
    for row in candidates:
        if (
            row.kind == kind
            and ids.safe_name(row.name) == name.name
            and _base_matches(session, user, row, name)
        ):
            return row
    return None


def _base_matches(session: Session, user: User, row: ModelRecord, name: ids.ModelName) -> bool:
    if name.base_name is None:
        return True
    base = _base_of(session, user, row, {})
    return base is not None and ids.safe_name(base.name) == name.base_name


def _like(safe: str) -> str:
    """A LIKE pattern matching every name that `safe_name` turns into `safe`."""
    escaped = safe.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("-", "_")  # `-` stands for any one character that was replaced
