"""The model registry: base models registered from server paths, adapters trained by jobs.

Base models are checked at registration (the folder or GGUF file exists, config and tokenizer
load) and their ModelFacts computed once and stored, so planning never loads a model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit, storage
from easytune.core.adapter_package import AdapterPackage, package
from easytune.core.audit import Origin
from easytune.core.errors import Conflict, InvalidRequest, ValidationFailed
from easytune.db.models import (
    ImportStatus,
    Job,
    JobStatus,
    ModelKind,
    ModelRecord,
    User,
    Visibility,
)
from easytune.db.repositories import models as repo
from easytune.db.repositories.models import ModelFilter
from easytune.training.facts import ModelFacts
from easytune.training.spec import ModelRef

AREA = "models"


@dataclass(frozen=True)
class BaseModelRequest:
    """What an admin (or the CLI) registers: a server path and a name."""

    path: str
    name: str | None = None
    visibility: Visibility = Visibility.SHARED


def locate(path: str) -> ModelRef:
    """A ModelRef for a Hugging Face folder, a .gguf file, or a folder holding one .gguf."""
    try:
        return _locate(path)
    except (OSError, ValueError) as exc:  # name too long, NUL byte, permission, loop...
        if isinstance(exc, ValidationFailed):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ValidationFailed(
            f"the server cannot read that path ({reason}); give the path of a model folder "
            "or .gguf file the server can read",
            param="path",
        ) from None


def _locate(path: str) -> ModelRef:
    target = Path(path).expanduser()
    if not target.exists():
        raise ValidationFailed(f"{path} does not exist on the server", param="path")
    if target.is_file():
        if target.suffix.lower() != ".gguf":
            raise ValidationFailed(f"{path} is a file but not a .gguf file", param="path")
        return ModelRef(path=str(target.parent.resolve()), gguf_file=target.name)
    if (target / "config.json").is_file():
        return ModelRef(path=str(target.resolve()))
    ggufs = sorted(p.name for p in target.glob("*.gguf"))
    if len(ggufs) == 1:
        return ModelRef(path=str(target.resolve()), gguf_file=ggufs[0])
    found = (
        f"it holds {len(ggufs)} .gguf files ({', '.join(ggufs)}); name one"
        if ggufs
        else ("it has no config.json and no .gguf file")
    )
    raise ValidationFailed(
        f"{path} is not a model folder: {found}; give a Hugging Face folder (with config.json) "
        "or a .gguf file",
        param="path",
    )


def compute_facts(ref: ModelRef) -> ModelFacts:
    """Load config and tokenizer (weights on the meta device) and read the model's facts."""
    from easytune.training.errors import EngineError
    from easytune.training.model import facts_for

    try:
        return facts_for(ref)
    except EngineError as exc:
        raise ValidationFailed(f"cannot load the model: {exc.message}", param="path") from None


def facts_of(model: ModelRecord) -> ModelFacts:
    """The stored facts of a base model, as the intent engine takes them."""
    if model.facts is None:
        raise InvalidRequest(
            f"model {model.id} has no stored facts; re-register it", param="base_model_id"
        )
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in model.facts.items()
    }
    return ModelFacts(**values)


def ref_of(model: ModelRecord) -> ModelRef:
    """Where the weights are, as a training spec names them."""
    return ModelRef(path=model.path, gguf_file=model.gguf_file)


def register_base_model(
    session: Session, owner: User | None, request: BaseModelRequest, origin: Origin | None = None
) -> ModelRecord:
    """Check the path, compute facts, and add the next version under the name."""
    ref = locate(request.path)
    facts = compute_facts(ref)
    name = request.name or Path(ref.gguf_file or ref.path).stem
    model = ModelRecord(
        id=storage.new_id("mdl"), kind=ModelKind.BASE, name=name,
        version=repo.next_version(session, name), path=ref.path, gguf_file=ref.gguf_file,
        owner_id=owner.id if owner else None, visibility=request.visibility,
        facts=asdict(facts),
    )  # fmt: skip
    repo.add(session, model)
    audit.record(
        session, "model.registered", audit.by(owner, origin), target_ref=("model", model.id),
        name=model.name, version=model.version, path=model.path, gguf_file=model.gguf_file,
    )  # fmt: skip
    return model


def get_model(session: Session, user: User, model_id: str) -> ModelRecord:
    """A model `user` may see; NotFound otherwise."""
    model = repo.get(session, model_id)
    access.check_read(user, model, "model", model_id)
    assert model is not None
    return model


_NOT_USABLE = {
    ImportStatus.PROBING: "is still being probed (safety and general probes{job}); try again "
    "when the job has finished",
    ImportStatus.FLAGGED: "was flagged by its probes (the refusal rate dropped{job}): it is "
    "held back; delete it, or re-probe it with POST /api/v1/models/{id}/reprobe",
    ImportStatus.PROBE_FAILED: "could not be probed{job}; run the probes again with "
    "POST /api/v1/models/{id}/reprobe or `easytune models reprobe {id}`",
}


def check_usable(model: ModelRecord, param: str = "model_id") -> None:
    """409 for an imported adapter whose probes have not cleared it, naming why."""
    if model.import_status is None or model.import_status == ImportStatus.USABLE:
        return
    job_id = (model.import_report or {}).get("probe_job_id")
    job = f", job {job_id}: /api/v1/jobs/{job_id}" if job_id is not None else ""
    reason = _NOT_USABLE.get(ImportStatus(model.import_status), "is not usable{job}")
    raise Conflict(
        f"imported adapter {model.id} {reason.format(job=job, id=model.id)}",
        param=param, code="adapter_not_usable",
    )  # fmt: skip


def get_base_model(session: Session, user: User, model_id: str) -> ModelRecord:
    """A base model `user` may see (for planning); adapters are refused."""
    model = get_model(session, user, model_id)
    if model.kind != ModelKind.BASE:
        raise InvalidRequest(
            f"model {model_id} is an adapter; choose a base model to fine-tune",
            param="base_model_id",
        )
    return model


def visible_named_like(
    session: Session, user: User, pattern: str, version: int
) -> list[ModelRecord]:
    """Models of `version` whose name matches the SQL LIKE `pattern` that `user` may see."""
    return [m for m in repo.by_pattern(session, pattern, version) if access.can_read(user, m)]


def list_models(
    session: Session, user: User, offset: int, limit: int, *, kind: ModelKind | None = None,
    base_model_id: str | None = None, name: str | None = None,
) -> tuple[list[ModelRecord], int]:  # fmt: skip
    """A page of the models `user` sees, newest first."""
    where = ModelFilter(access.viewer_scope(user), kind, base_model_id, name)
    return repo.page(session, where, offset, limit)


def adapter_folder(session: Session, user: User, model_id: str) -> tuple[ModelRecord, Path]:
    """An adapter `user` may see and its folder; base models are not downloadable."""
    model = get_model(session, user, model_id)
    if model.kind != ModelKind.ADAPTER:
        raise InvalidRequest(
            f"model {model_id} is a base model registered from a server path; only adapters "
            "can be downloaded",
            param="id",
        )
    check_usable(model, "id")
    folder = Path(model.path)
    if not folder.is_dir():
        raise Conflict(f"the files of adapter {model_id} are missing on the server", param="id")
    return model, folder


def adapter_package(
    session: Session, user: User, model_id: str, origin: Origin | None = None
) -> AdapterPackage:
    """The download of an adapter `user` may see: card, portable config, lineage files."""
    model, folder = adapter_folder(session, user, model_id)
    audit.record(
        session, "model.downloaded", audit.by(user, origin), target_ref=("model", model.id),
        name=model.name, version=model.version, owner_id=model.owner_id,
    )  # fmt: skip
    return package(session, model, folder)


def delete_model(session: Session, user: User, model_id: str, origin: Origin | None = None) -> None:
    """Remove a model; an adapter's files go too, a base model's files are never touched."""
    model = get_model(session, user, model_id)
    access.check_owner(user, model, "model", model_id)
    if model.kind == ModelKind.BASE:
        _refuse_if_used(session, model)
    if model.kind == ModelKind.ADAPTER:
        from easytune.core.exports import remove_exports_of  # exports build on this module

        remove_exports_of(session, model.id)
    repo.delete(session, model)
    if model.import_status is not None:
        _cancel_probes(session, model)
    audit.record(
        session, "model.deleted", audit.by(user, origin), target_ref=("model", model_id),
        name=model.name, version=model.version, kind=model.kind, owner_id=model.owner_id,
    )  # fmt: skip
    if model.kind == ModelKind.ADAPTER:
        # An import's folder (DATA_DIR/imports/<id>) holds only the adapter: remove it whole.
        folder = Path(model.path)
        storage.remove_after_commit(session, folder.parent if model.import_status else folder)


def _cancel_probes(session: Session, model: ModelRecord) -> None:
    """A deleted import's probe job has nothing left to probe: cancel it if it still waits."""
    from easytune.jobs import service as jobs

    job_id = (model.import_report or {}).get("probe_job_id")
    job = session.get(Job, job_id) if isinstance(job_id, int) else None
    if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        jobs.cancel_job(session, job.id)


def _refuse_if_used(session: Session, model: ModelRecord) -> None:
    adapters = repo.count_adapters_of(session, model.id)
    if adapters:
        raise Conflict(
            f"{adapters} adapter(s) were trained on model {model.id}; delete them first",
            param="id",
        )
