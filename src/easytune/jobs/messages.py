"""The events the platform writes about a job's life, as coded English templates.

Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

from easytune.i18n import template as t

CREATED = t("job.created", "job created ({status})")
QUEUED = t("job.queued", "files validated; job queued")
ATTEMPT_STARTED = t("job.attempt_started", "attempt {attempt} started")
FINISHED = t("job.finished", "job {status}")
FINISHED_ERROR = t("job.finished_error", "job {status}: [{code}] {message}")
RELEASED = t("job.released", "worker shut down; job released back to the queue")
CANCELLED_LOST = t("job.cancelled_lost", "cancelled (the worker stopped heartbeating)")
REQUEUED = t("job.requeued", "{why}; attempt {attempt} of {max_attempts} queued")
ATTEMPT_FAILED = t("job.attempt_failed", "attempt {attempt} failed: {message}")
LOST_HEARTBEAT = t("job.lost_heartbeat", "requeued after lost heartbeat")
CANCEL_REQUESTED = t("job.cancel_requested", "cancel requested ({status})")
RETRY_REQUESTED = t("job.retry_requested", "retry requested; attempt {attempt} queued")
ADAPTER_REGISTERED = t("job.adapter_registered", "adapter registered as {id} ({name} v{version})")
EXPORT_REGISTERED = t("job.export_registered", "export registered as {id} ({file})")
STALLED = t(
    "job.stalled",
    "no progress for a while: no progress line for {seconds} s; last seen: {last_seen}",
)
STOPPING = t("job.stopping", "{why}: sent SIGTERM to the training process; SIGKILL in {grace} s")
KILLED = t("job.killed", "the training process ignored SIGTERM; sent SIGKILL")
WAITING_SLOTS = t(
    "job.waiting_slots", "waiting for {count} free slots (one per GPU); {free} free now"
)

# A status inside a sentence, in the reader's language (the English is the status itself).
STATUS = {
    "validating_files": t("job.status.validating_files", "validating_files"),
    "queued": t("job.status.queued", "queued"),
    "running": t("job.status.running", "running"),
    "cancelling": t("job.status.cancelling", "cancelling"),
    "succeeded": t("job.status.succeeded", "succeeded"),
    "failed": t("job.status.failed", "failed"),
    "cancelled": t("job.status.cancelled", "cancelled"),
}
