"""Every table; importing this module registers them all on Base.metadata."""

from easytune.db.models.audit import AuditEvent, LoginThrottle
from easytune.db.models.jobs import EventLevel, Job, JobEvent, JobMetric, JobStatus
from easytune.db.models.users import ApiToken, AuthSession, RefreshToken, Role, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "EventLevel",
    "Job",
    "JobEvent",
    "JobMetric",
    "JobStatus",
    "LoginThrottle",
    "RefreshToken",
    "Role",
    "User",
]
