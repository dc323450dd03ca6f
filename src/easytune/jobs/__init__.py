"""The job domain, every kind (train, export, evaluation): `status` (the transitions table),
`repository` (every job, event and metric query), `service` (the lifecycle: submit, cancel,
retry, claim, heartbeat, finish with success hooks, lost-worker recovery), `queue` (the
worker's transactions over the service), the worker that runs each job in a child process,
and the executors (local, Celery)."""

from easytune.db.models.jobs import EventLevel, Job, JobEvent, JobMetric, JobStatus
from easytune.jobs.errors import InvalidTransition, JobError, JobNotFound, LeaseLost
from easytune.jobs.status import TRANSITIONS, can_transition, transition

__all__ = [
    "TRANSITIONS",
    "EventLevel",
    "InvalidTransition",
    "Job",
    "JobError",
    "JobEvent",
    "JobMetric",
    "JobNotFound",
    "JobStatus",
    "LeaseLost",
    "can_transition",
    "transition",
]
