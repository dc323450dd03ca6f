"""Exports of adapters: queue an export job, register its artefact when it succeeds, list,
serve its files and delete it. Exports belong to whoever asked for them (admins see all)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit, jobs, models, storage
from easytune.core.audit import Origin
from easytune.core.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from easytune.db.models import (
    EventLevel,
    ExportRecord,
    Job,
    JobKind,
    ModelKind,
    ModelRecord,
    User,
)
from easytune.db.repositories import exports as repo
from easytune.db.repositories import models as models_repo
from easytune.export.errors import ExportSpecError
from easytune.export.spec import ExportSpec, check_choice
from easytune.jobs import messages as msg
from easytune.jobs import repository as jobs_repo
from easytune.jobs.errors import ArtifactRejected
from easytune.jobs.service import Submitter
from easytune.settings import Settings

EXPORT_SUBDIR = "export"  # inside the export job's folder


@dataclass(frozen=True)
class ExportRequest:
    """POST /models/{id}/exports."""

    format: str
    quantization: str | None = None


def _checked_choice(request: ExportRequest) -> str | None:
    try:
        return check_choice(request.format, request.quantization)
    except ExportSpecError as exc:
        raise ValidationFailed(exc.message, param=exc.param) from None


def _adapter_and_base(
    session: Session, user: User, model_id: str
) -> tuple[ModelRecord, ModelRecord]:
    model, _ = models.adapter_folder(session, user, model_id)  # checks its files are there
    base = models_repo.get(session, model.base_model_id) if model.base_model_id else None
    if base is None:
        raise Conflict(
            f"the base model of adapter {model_id} is no longer registered; register it again "
            "to export this adapter",
            param="id",
        )
    return model, base


def create_export(
    session: Session, settings: Settings, user: User, model_id: str, request: ExportRequest,
    executor: Submitter, origin: Origin | None = None,
) -> Job:  # fmt: skip
    """Queue an export job of an adapter `user` may see; it runs on the worker like training."""
    quantization = _checked_choice(request)
    model, base = _adapter_and_base(session, user, model_id)
    spec = ExportSpec(
        model_id=model.id, adapter_dir=model.path, base=models.ref_of(base),
        format=request.format, quantization=quantization, output_dir="",
        artifact_subdir=EXPORT_SUBDIR, archive=True, llama_cpp_dir=settings.llama_cpp_dir or None,
    )  # fmt: skip
    label = f"{request.format}-{quantization}" if quantization else request.format
    name = f"export {model.name} v{model.version} {label}"
    return jobs.submit(
        session, settings, user, JobKind.EXPORT, name, spec.model_dump(mode="json"), executor,
        origin, base_model_id=base.id, detail={"model_id": model.id},
    )  # fmt: skip


def register_job_export(session: Session, job: Job) -> None:
    """The success hook of export jobs: check the files are there, then register them."""
    if repo.get_by_job(session, job.id) is not None:
        return  # registered on an earlier try
    result = job.result or {}
    model_id = str(job.spec.get("model_id") or "")
    if models_repo.get(session, model_id) is None:
        raise ArtifactRejected(f"adapter {model_id} was deleted while it was being exported")
    folder, primary = _checked_files(result)
    record = repo.add(session, ExportRecord(
        id=storage.new_id("exp"), model_id=model_id, base_model_id=job.base_model_id,
        job_id=job.id, owner_id=job.owner_id, format=result["format"],
        quantization=result.get("quantization"), path=str(folder),
        primary_file=primary["name"], size_bytes=primary["size"], sha256=primary["sha256"],
        files=result["files"], verification=result.get("verification"),
    ))  # fmt: skip
    job.result = {**result, "export_id": record.id}
    message = msg.EXPORT_REGISTERED(id=record.id, file=record.primary_file)
    jobs_repo.add_event(session, job, EventLevel.INFO, message, {"export_id": record.id})


def _checked_files(result: dict[str, Any]) -> tuple[Path, dict[str, Any]]:
    folder = Path(str(result.get("artifact_dir") or ""))
    files = {f["name"]: f for f in result.get("files") or []}
    primary = files.get(str(result.get("primary")))
    if primary is None:
        raise ArtifactRejected("the export reported no primary file; nothing to register")
    for item in files.values():
        path = folder / item["name"]
        if not path.is_file() or path.stat().st_size != item["size"]:
            raise ArtifactRejected(f"export file {path} is missing or incomplete: retry the job")
    return folder, primary


def list_exports(session: Session, user: User, model_id: str) -> list[ExportRecord]:
    """Exports of an adapter `user` may see: their own (admins: everyone's), newest first."""
    model = models.get_model(session, user, model_id)
    if model.kind != ModelKind.ADAPTER:
        raise InvalidRequest(f"model {model_id} is a base model; only adapters have exports")
    return repo.of_model(session, model_id, access.viewer_scope(user))


def get_export(session: Session, user: User, export_id: str) -> ExportRecord:
    """An export of `user` (any for admins); NotFound otherwise."""
    record = repo.get(session, export_id)
    if record is None or not (access.is_admin(user) or record.owner_id == user.id):
        raise NotFound(f"no export with id {export_id}", param="id")
    return record


def export_file(
    session: Session, user: User, export_id: str, name: str | None, origin: Origin | None = None
) -> tuple[ExportRecord, Path]:
    """One file of an export (default: its primary file), checked to be on disk."""
    record = get_export(session, user, export_id)
    wanted = name or record.primary_file
    if wanted not in {item["name"] for item in record.files}:
        known = ", ".join(item["name"] for item in record.files)
        raise NotFound(f"export {export_id} has no file {wanted!r}; it has {known}", param="file")
    path = Path(record.path) / wanted
    if not path.is_file():
        raise Conflict(f"the files of export {export_id} are missing on the server", param="id")
    audit.record(
        session, "export.downloaded", audit.by(user, origin), target_ref=("export", export_id),
        file=wanted, model_id=record.model_id, owner_id=record.owner_id,
    )  # fmt: skip
    return record, path


def delete_export(
    session: Session, user: User, export_id: str, origin: Origin | None = None
) -> None:
    """Delete an export you own (admins: any) and its files."""
    record = get_export(session, user, export_id)
    repo.delete(session, record)
    audit.record(
        session, "export.deleted", audit.by(user, origin), target_ref=("export", export_id),
        model_id=record.model_id, owner_id=record.owner_id,
    )  # fmt: skip
    storage.remove_after_commit(session, Path(record.path))


def remove_exports_of(session: Session, model_id: str) -> None:
    """Drop every export of an adapter being deleted, files included."""
    for record in repo.of_model(session, model_id, None):
        repo.delete(session, record)
        storage.remove_after_commit(session, Path(record.path))
