"""Every table; importing this module registers them all on Base.metadata."""

from easytune.db.models.audit import AuditEvent, LoginThrottle
from easytune.db.models.exports import ExportRecord
from easytune.db.models.jobs import EventLevel, Job, JobEvent, JobKind, JobMetric, JobStatus
from easytune.db.models.registry import Dataset, ImportStatus, ModelKind, ModelRecord, Visibility
from easytune.db.models.users import ApiToken, AuthSession, RefreshToken, Role, User
from easytune.db.models.workers import WorkerRecord

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuthSession",
    "Dataset",
    "EventLevel",
    "ExportRecord",
    "ImportStatus",
    "Job",
    "JobEvent",
    "JobKind",
    "JobMetric",
    "JobStatus",
    "LoginThrottle",
    "ModelKind",
    "ModelRecord",
    "RefreshToken",
    "Role",
    "User",
    "Visibility",
    "WorkerRecord",
]
