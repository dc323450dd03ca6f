"""Errors of the jobs package: EasyTuneErrors, so the API renders them with their status."""

from __future__ import annotations

from easytune.errors import EasyTuneError


class JobError(EasyTuneError):
    """Base of every jobs error."""

    code = "job_error"


class JobNotFound(JobError, LookupError):
    """No job with that id (or not visible to the caller)."""

    status_code = 404
    code = "not_found"


class InvalidTransition(JobError, ValueError):
    """A status change the transitions table does not allow (cancel an ended job, ...)."""

    status_code = 409
    code = "conflict"


class LeaseLost(JobError, RuntimeError):
    """This worker no longer holds the job's lease: it must stop and write nothing final."""

    status_code = 409
    code = "lease_lost"


class ArtifactRejected(JobError, ValueError):
    """A success hook found the job's output unusable (no adapter, unreadable files)."""

    status_code = 409
    code = "adapter_rejected"
