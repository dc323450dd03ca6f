"""Errors of the jobs package; each carries a machine code and the HTTP status the API maps to."""

from __future__ import annotations


class JobError(Exception):
    """Base of every jobs error."""

    code = "job_error"
    http_status = 400


class JobNotFound(JobError, LookupError):
    """No job with that id (or not visible to the caller)."""

    code = "job_not_found"
    http_status = 404


class InvalidTransition(JobError, ValueError):
    """A status change the transitions table does not allow."""

    code = "invalid_status_transition"
    http_status = 409


class LeaseLost(JobError, RuntimeError):
    """This worker no longer holds the job's lease: it must stop and write nothing final."""

    code = "lease_lost"
    http_status = 409


class ArtifactRejected(JobError, ValueError):
    """A success hook found the job's output unusable (no adapter, unreadable files)."""

    code = "adapter_rejected"
    http_status = 409
