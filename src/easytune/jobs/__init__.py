"""The jobs queue: status transitions, repository (claim, lease, heartbeat, requeue), the
worker that runs each job in a child process, executors (local, Celery) and the service
functions the API calls."""

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
