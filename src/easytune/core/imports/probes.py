"""The probes of an imported adapter: the evaluation report's safety and general probe sets,
base vs adapter, in a child process (`easytune eval --json`). A refusal-rate drop beyond the
tolerance flags the adapter; only a clean report makes it usable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from easytune.core import audit
from easytune.core.audit import Origin
from easytune.db import transaction
from easytune.db.models import ImportStatus, ModelRecord
from easytune.db.repositories import models as repo
from easytune.jobs.child_env import child_environment
from easytune.settings import Settings

PROBE_ORIGIN = Origin(via="import-probe")
MAX_NEW_TOKENS = 32


def probe_command(settings: Settings, base: ModelRecord, adapter: ModelRecord) -> list[str]:
    """`easytune eval` over the base and this adapter, a few probes per set, as JSON."""
    gguf = ["--gguf-file", base.gguf_file] if base.gguf_file else []
    return [
        sys.executable, "-m", "easytune", "eval", "--model", base.path, *gguf,
        "--adapter", adapter.path, "--max-per-set", str(settings.import_probes_per_set),
        "--max-new-tokens", str(MAX_NEW_TOKENS), "--json",
    ]  # fmt: skip


def run_probes(command: list[str], timeout: float) -> dict[str, Any]:
    """The adapter's report (the second model of the output), or {"error": why}."""
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout,
            env=child_environment(os.environ), check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"the probes took longer than {timeout:g} s"}
    if done.returncode != 0:
        return {"error": f"the probes exited with {done.returncode}: {done.stderr[-500:]}"}
    try:
        report: dict[str, Any] = json.loads(done.stdout)["models"][1]["report"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        return {"error": f"the probes printed no report ({exc})"}
    return report


def probe_verdict(report: dict[str, Any]) -> tuple[ImportStatus, dict[str, Any]]:
    """The status an adapter gets from its probe report, and the summary stored with it."""
    if "error" in report:
        return ImportStatus.PROBE_FAILED, {"error": report["error"]}
    summary = {
        "totals": report["totals"], "unsafe": report["unsafe"],
        "outcome_message": report.get("outcome_message"),
    }  # fmt: skip
    return (ImportStatus.FLAGGED if report["unsafe"] else ImportStatus.USABLE), summary


def finish_import(factory: sessionmaker[Session], settings: Settings, model_id: str) -> None:
    """Probe a `probing` adapter (no database connection held meanwhile) and store the verdict."""
    with transaction(factory) as session:
        adapter = repo.get(session, model_id)
        base = (
            repo.get(session, adapter.base_model_id) if adapter and adapter.base_model_id else None
        )
        if adapter is None or base is None or adapter.import_status != ImportStatus.PROBING:
            return
        command = probe_command(settings, base, adapter)
    report = run_probes(command, settings.import_probe_timeout_seconds)
    with transaction(factory) as session:
        record_verdict(session, model_id, report)


def record_verdict(session: Session, model_id: str, report: dict[str, Any]) -> None:
    """Store the probes' verdict with the adapter and in the audit trail."""
    adapter = repo.get(session, model_id)
    if adapter is None:  # deleted while probing
        return
    status, summary = probe_verdict(report)
    adapter.import_status = status
    adapter.import_report = {**(adapter.import_report or {}), "probes": summary}
    audit.record(
        session, f"model.import.{status.value}", PROBE_ORIGIN, target_ref=("model", model_id),
        actor_username="system", probes=summary,
    )  # fmt: skip
