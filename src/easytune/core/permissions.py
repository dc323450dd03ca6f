"""Named permissions and the one table mapping roles to them."""

from __future__ import annotations

from enum import StrEnum

from easytune.db.models import Role


class Permission(StrEnum):
    """What a route needs; routes declare one with `require(Permission.X)`."""

    ACCOUNT_SELF = "account:self"  # own profile, password, personal tokens, logout
    USERS_MANAGE = "users:manage"
    AUDIT_READ = "audit:read"
    DATASETS_READ = "datasets:read"
    DATASETS_WRITE = "datasets:write"
    MODELS_READ = "models:read"
    MODELS_WRITE = "models:write"  # download/delete own adapters
    MODELS_REGISTER = "models:register"  # register base models from server paths
    JOBS_READ = "jobs:read"
    JOBS_CREATE = "jobs:create"  # also cancel and retry one's own jobs
    JOBS_MANAGE = "jobs:manage"  # act on anyone's jobs
    PLAYGROUND_USE = "playground:use"


_VIEWER = frozenset(
    {
        Permission.ACCOUNT_SELF,
        Permission.DATASETS_READ,
        Permission.MODELS_READ,
        Permission.JOBS_READ,
    }
)
_ENGINEER = _VIEWER | {
    Permission.DATASETS_WRITE,
    Permission.MODELS_WRITE,
    Permission.JOBS_CREATE,
    Permission.PLAYGROUND_USE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.ENGINEER: frozenset(_ENGINEER),
    Role.ADMIN: frozenset(Permission),
}


def has_permission(role: str, permission: Permission) -> bool:
    """Whether `role` grants `permission`; unknown roles grant nothing."""
    known = role in Role._value2member_map_
    return known and permission in ROLE_PERMISSIONS[Role(role)]
