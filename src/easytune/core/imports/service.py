"""Import an adapter zip: quarantine, scan, register as `probing`, then probe.

The upload is written to a hidden folder under DATA_DIR/imports and unpacked there; a refused
scan deletes it and stores nothing but the audit row with every reason (the client gets the
same reasons in a 422). A passing scan publishes the folder and registers the adapter as
`probing` and queues its probe job (kind `evaluation`, easytune.core.imports.probes) in the
same transaction; nothing serves, exports, evaluates or downloads it until that job's verdict
marks it `usable`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core import audit, models, storage
from easytune.core.audit import Origin
from easytune.core.errors import PayloadTooLarge, ProblemList
from easytune.core.imports import probes
from easytune.core.imports.config_check import LoraBounds
from easytune.core.imports.scan import ScanLimits, scan_adapter, verdict
from easytune.core.imports.unpack import ZipLimits
from easytune.db.models import ImportStatus, ModelKind, ModelRecord, User, Visibility
from easytune.db.repositories import models as repo
from easytune.jobs.service import Submitter
from easytune.settings import Settings

AREA = "imports"


@dataclass(frozen=True)
class AdapterUpload:
    """The zip's bytes, the registry name, and the base model it adapts."""

    chunks: Iterable[bytes]
    name: str
    base_model_id: str


class AdapterRefused(ProblemList):
    """The scan refused the adapter (422); the audit row of the refusal is kept."""

    code = "adapter_refused"
    keep_changes = True


def scan_limits(settings: Settings) -> ScanLimits:
    """The scan's limits from the settings."""
    return ScanLimits(
        ZipLimits(settings.import_max_files, settings.import_max_unpacked_bytes),
        LoraBounds(max_rank=settings.import_max_rank,
                   max_relative_update=settings.import_max_relative_update),
    )  # fmt: skip


def import_adapter(
    session: Session, settings: Settings, user: User, upload: AdapterUpload, origin: Origin,
    executor: Submitter | None = None,
) -> ModelRecord:  # fmt: skip
    """Scan the zip against its base; register it as `probing` with its probe job queued (the
    executor is told after the commit), or AdapterRefused."""
    base = models.get_base_model(session, user, upload.base_model_id)
    model_id = storage.new_id("mdl")
    parent = storage.area(settings.data_dir, AREA)
    staged = storage.staging_dir(parent, model_id)
    try:
        report = _scan(settings, staged, base, upload)
        if not report["passed"]:
            _refuse(session, origin, upload, report)
        storage.private(staged / "adapter")
        storage.private(staged)
        folder = storage.publish(staged, parent, model_id)
    except BaseException:
        storage.remove_tree(staged)
        raise
    storage.remove_on_rollback(session, folder)
    model = _register(session, user, base, model_id, folder / "adapter", upload, report)
    job = probes.submit_probes(session, settings, model, base, executor)
    audit.record(
        session, "model.import.scanned", origin, target_ref=("model", model.id),
        name=model.name, version=model.version, base_model_id=base.id, scan=report,
        probe_job_id=job.id,
    )  # fmt: skip
    return model


def _scan(
    settings: Settings, staged: Path, base: ModelRecord, upload: AdapterUpload
) -> dict[str, Any]:
    archive, folder = staged / "upload.zip", staged / "adapter"
    try:
        storage.copy_stream(upload.chunks, archive, settings.import_max_bytes)
    except storage.TooLarge:
        raise PayloadTooLarge(
            f"the adapter zip is over {settings.import_max_bytes} bytes "
            "(EASYTUNE_IMPORT_MAX_BYTES)", param="file",
        ) from None  # fmt: skip
    folder.mkdir()
    findings = scan_adapter(archive, folder, base.path, base.gguf_file, scan_limits(settings))
    archive.unlink()
    return verdict(findings)


def _refuse(
    session: Session, origin: Origin, upload: AdapterUpload, report: dict[str, Any]
) -> None:
    reasons = report["reasons"]
    audit.record(
        session, "model.import.refused", origin, name=upload.name,
        base_model_id=upload.base_model_id, reasons=reasons,
    )  # fmt: skip
    codes = ", ".join(sorted({r["code"] for r in reasons}))
    raise AdapterRefused(
        f"the adapter was refused by the scan ({codes}): {reasons[0]['message']}",
        reasons, param="file",
    )  # fmt: skip


def _register(
    session: Session, user: User, base: ModelRecord, model_id: str, folder: Path,
    upload: AdapterUpload, report: dict[str, Any],
) -> ModelRecord:  # fmt: skip
    return repo.add(
        session,
        ModelRecord(
            id=model_id, kind=ModelKind.ADAPTER, name=upload.name,
            version=repo.next_version(session, upload.name), path=str(folder),
            owner_id=user.id, visibility=Visibility.PRIVATE, base_model_id=base.id,
            import_status=ImportStatus.PROBING, import_report={"scan": report},
        ),
    )  # fmt: skip
