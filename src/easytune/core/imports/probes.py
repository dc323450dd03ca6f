"""The probes of an imported adapter: the evaluation report's safety and general probe sets,
base vs adapter, as a queued job of kind `evaluation` (the same queue, worker, statuses,
events, cancel and retry as any job). The adapter stays `probing`, unusable, until the job
succeeds: a refusal-rate drop beyond the tolerance flags it, only a clean report makes it
usable; a failed or cancelled probe job marks it `probe_failed` until it is re-probed.
Every verdict is stored with the model and audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from easytune.core import access, audit
from easytune.core.audit import Origin
from easytune.core.errors import Conflict, NotFound
from easytune.db.models import ImportStatus, Job, JobKind, JobStatus, ModelRecord, User
from easytune.db.repositories import models as repo
from easytune.jobs import service
from easytune.jobs.service import Submitter
from easytune.settings import Settings
from easytune.training.evaluation.spec import ComparedModel, ComparisonSpec
from easytune.training.spec import ModelRef

PROBE_ORIGIN = Origin(via="import-probe")
MAX_NEW_TOKENS = 32
JOB_KEY = "probe_job_id"  # in the adapter's import_report: the job whose verdict counts
WAITING = {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CANCELLING}


def probe_spec(settings: Settings, base: ModelRecord, adapter: ModelRecord) -> ComparisonSpec:
    """The evaluation job's spec: the adapter against its base, a few probes per set."""
    compared = ComparedModel(
        model_id=adapter.id, name=f"{adapter.name} v{adapter.version}", kind="adapter",
        base=ModelRef(path=base.path, gguf_file=base.gguf_file), base_model_id=base.id,
        adapter_dir=adapter.path,
    )  # fmt: skip
    return ComparisonSpec(
        output_dir="", models=[compared], max_per_set=settings.import_probes_per_set,
        max_held_out=0, max_new_tokens=MAX_NEW_TOKENS, import_model_id=adapter.id,
    )  # fmt: skip


def submit_probes(
    session: Session, settings: Settings, adapter: ModelRecord, base: ModelRecord,
    executor: Submitter | None,
) -> Job:  # fmt: skip
    """Queue the probe job of `adapter` (owned by the adapter's owner) and mark it `probing`;
    the executor hears of the job once the caller commits."""
    assert adapter.owner_id is not None  # imports always have an owner
    job = service.submit_job(
        session, owner_id=adapter.owner_id, name=f"probe {adapter.name} v{adapter.version}"[:200],
        spec=probe_spec(settings, base, adapter).model_dump(mode="json"), executor=executor,
        kind=JobKind.EVALUATION, max_attempts=settings.job_max_attempts, base_model_id=base.id,
    )  # fmt: skip
    report = {k: v for k, v in (adapter.import_report or {}).items() if k != "probes"}
    adapter.import_status = ImportStatus.PROBING
    adapter.import_report = {**report, JOB_KEY: job.id}
    return job


def reprobe(
    session: Session, settings: Settings, user: User, model_id: str, executor: Submitter | None,
    origin: Origin | None = None,
) -> ModelRecord:  # fmt: skip
    """Run the probes of an imported adapter again (its owner or an admin); it is unusable
    until the new verdict. 409 while its probe job is still queued or running."""
    adapter = repo.get(session, model_id)
    access.check_read(user, adapter, "model", model_id)
    assert adapter is not None
    access.check_owner(user, adapter, "model", model_id)
    if adapter.import_status is None:
        raise Conflict(
            f"model {model_id} was not imported: only imported adapters are probed",
            param="id", code="not_imported",
        )  # fmt: skip
    running = _probe_job(session, adapter)
    if running is not None and running.status in WAITING:
        raise Conflict(
            f"the probes of adapter {model_id} are already {running.status} (job "
            f"{running.id}); follow them at /api/v1/jobs/{running.id}/stream",
            param="id", code="probes_running",
        )  # fmt: skip
    base = repo.get(session, adapter.base_model_id) if adapter.base_model_id else None
    if base is None:
        raise Conflict(
            f"the base model of adapter {model_id} is no longer registered; register it again "
            "to probe this adapter",
            param="id",
        )
    previous = adapter.import_status
    job = submit_probes(session, settings, adapter, base, executor)
    audit.record(
        session, "model.import.reprobe", audit.by(user, origin), target_ref=("model", model_id),
        previous=previous, job_id=job.id,
    )  # fmt: skip
    return adapter


def probe_job_of(session: Session, user: User, model_id: str) -> Job:
    """The adapter's current probe job (NotFound when it has none)."""
    adapter = repo.get(session, model_id)
    access.check_read(user, adapter, "model", model_id)
    assert adapter is not None
    job = _probe_job(session, adapter)
    if job is None:
        raise NotFound(f"model {model_id} has no probe job", param="id")
    return job


def _probe_job(session: Session, adapter: ModelRecord) -> Job | None:
    job_id = (adapter.import_report or {}).get(JOB_KEY)
    return session.get(Job, job_id) if isinstance(job_id, int) else None


def _adapter_of(session: Session, job: Job) -> ModelRecord | None:
    """The imported adapter whose current probe job this is (None for any other job)."""
    model_id = (job.spec or {}).get("import_model_id")
    adapter = repo.get(session, model_id) if isinstance(model_id, str) else None
    if adapter is None or (adapter.import_report or {}).get(JOB_KEY) != job.id:
        return None  # an ordinary evaluation, a deleted adapter, or an older probe job
    return adapter


def probe_verdict(report: dict[str, Any]) -> tuple[ImportStatus, dict[str, Any]]:
    """The status an adapter gets from its probe report, and the summary stored with it."""
    summary = {
        "totals": report["totals"], "unsafe": report["unsafe"],
        "outcome_message": report.get("outcome_message"),
        "outcome_detail": report.get("outcome_detail"),
    }  # fmt: skip
    return (ImportStatus.FLAGGED if report["unsafe"] else ImportStatus.USABLE), summary


def record_probe_job(session: Session, job: Job) -> None:
    """Success hook of evaluation jobs: a probe job's verdict is stored with its adapter."""
    adapter = _adapter_of(session, job)
    if adapter is None:
        return
    from easytune.core.comparisons import read_report  # comparisons imports the registry

    report = read_report(job)
    assert report is not None  # check_job_comparison, run first, refuses a missing report
    status, summary = probe_verdict(report["models"][0]["report"])
    _record(session, adapter, job, status, summary)


def probe_job_moved(session: Session, job: Job) -> None:
    """Status hook of evaluation jobs: a failed or cancelled probe job marks its adapter
    `probe_failed`; a retried one makes it `probing` again."""
    adapter = _adapter_of(session, job)
    if adapter is None:
        return
    if job.status == JobStatus.QUEUED:
        report = {k: v for k, v in (adapter.import_report or {}).items() if k != "probes"}
        adapter.import_status, adapter.import_report = ImportStatus.PROBING, report
        return
    why = (job.error or {}).get("message") or "no reason given"
    summary = {"error": f"the probe job {job.id} was {job.status}: {why}"}
    _record(session, adapter, job, ImportStatus.PROBE_FAILED, summary)


def _record(
    session: Session, adapter: ModelRecord, job: Job, status: ImportStatus,
    summary: dict[str, Any],
) -> None:  # fmt: skip
    adapter.import_status = status
    adapter.import_report = {**(adapter.import_report or {}), "probes": summary}
    audit.record(
        session, f"model.import.{status.value}", PROBE_ORIGIN,
        target_ref=("model", adapter.id), actor_username="system", job_id=job.id, probes=summary,
    )  # fmt: skip
