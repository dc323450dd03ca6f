"""User management: create, change (role, active, password), delete, bootstrap the admin."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from easytune.core import audit
from easytune.core.audit import Origin
from easytune.core.auth import end_all_sessions, normalize_username
from easytune.core.errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from easytune.core.passwords import check_password_policy, hash_password, verify_password
from easytune.db.base import utcnow
from easytune.db.models import Role, User
from easytune.db.repositories import tokens as token_repo
from easytune.db.repositories import users as repo
from easytune.jobs import repository as jobs_repo
from easytune.settings import Settings, SettingsError

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
USERNAME_RULE = "2-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
BOOTSTRAP_ADMIN = "admin"


@dataclass(frozen=True)
class UserChanges:
    """A PATCH: only the fields given (not None) change."""

    role: Role | None = None
    is_active: bool | None = None
    password: str | None = None


def check_username(username: str) -> str:
    """The normalised username, or ValidationFailed explaining the rule."""
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise ValidationFailed(f"username must be {USERNAME_RULE}", param="username")
    return name


def get_user(session: Session, user_id: int) -> User:
    """The user, or NotFound."""
    user = repo.get(session, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}", param="id")
    return user


def list_users(session: Session, offset: int, limit: int) -> tuple[list[User], int]:
    """A page of users and the total."""
    return repo.page(session, offset, limit)


def create_user(
    session: Session, settings: Settings, username: str, password: str, role: Role, origin: Origin
) -> User:
    """Create an account after checking the username and the password policy."""
    name = check_username(username)
    check_password_policy(password, name)
    if repo.get_by_username(session, name) is not None:
        raise Conflict(f"username {name!r} is taken; choose another", param="username")
    user = repo.add(
        session, User(username=name, password_hash=hash_password(settings, password), role=role)
    )
    audit.record(session, "user.created", origin, target=user, username=name, role=str(role))
    return user


def update_user(
    session: Session, settings: Settings, user: User, changes: UserChanges, origin: Origin
) -> User:
    """Apply a PATCH; each kind of change writes its own audit row."""
    if changes.role is not None and changes.role != user.role:
        _change_role(session, user, changes.role, origin)
    if changes.is_active is not None and changes.is_active != user.is_active:
        _set_active(session, user, changes.is_active, origin)
    if changes.password is not None:
        set_password(session, settings, user, changes.password, origin)
    session.flush()
    return user


def _change_role(session: Session, user: User, role: Role, origin: Origin) -> None:
    if user.role == Role.ADMIN:
        _keep_an_admin(session, "change the role of")
    audit.record(
        session, "user.role_changed", origin, target=user, old=str(user.role), new=str(role)
    )
    user.role = role


def _set_active(session: Session, user: User, active: bool, origin: Origin) -> None:
    if not active:
        if user.role == Role.ADMIN:
            _keep_an_admin(session, "disable")
        end_all_sessions(session, user, "user_disabled")
    user.is_active = active
    audit.record(session, "user.enabled" if active else "user.disabled", origin, target=user)


def _keep_an_admin(session: Session, verb: str) -> None:
    if repo.count_active_admins(session) <= 1:
        raise Conflict(
            f"cannot {verb} the last active admin; make another user admin first", param="role"
        )


def set_password(
    session: Session, settings: Settings, user: User, password: str, origin: Origin
) -> None:
    """Set a new password (policy checked); every open session of the user ends."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(settings, password)
    user.password_changed_at = utcnow()
    end_all_sessions(session, user, "password_changed")
    # A leaked password may have minted tokens: they go with it.
    revoked = token_repo.revoke_user_api_tokens(session, user.id, utcnow())
    audit.record(session, "user.password_changed", origin, target=user, api_tokens_revoked=revoked)


def change_own_password(
    session: Session, settings: Settings, user: User, current: str, new: str, origin: Origin
) -> None:
    """Self-service password change; the current password must be given."""
    if not verify_password(settings, user.password_hash, current):
        raise ValidationFailed("current_password is wrong", param="current_password")
    set_password(session, settings, user, new, origin)


def delete_user(session: Session, user: User, origin: Origin) -> None:
    """Delete an account (not one's own, not the last admin); the audit trail keeps its name."""
    if origin.user is not None and origin.user.id == user.id:
        raise InvalidRequest("you cannot delete your own account", param="id")
    if user.role == Role.ADMIN and user.is_active:
        _keep_an_admin(session, "delete")
    owned = repo.owned(session, user.id)
    if jobs := jobs_repo.count_owned(session, user.id):
        owned["jobs"] = jobs
    if owned:
        listed = ", ".join(f"{n} {kind}" for kind, n in owned.items())
        raise Conflict(
            f"user {user.username!r} owns {listed}; delete or hand those over first, or "
            "disable the account instead (PATCH is_active=false keeps everything)",
            param="id",
        )
    audit.record(session, "user.deleted", origin, target=user, username=user.username)
    repo.delete(session, user)


def bootstrap_admin(session: Session, settings: Settings) -> str | None:
    """On an empty database create `admin`; returns the password when it was generated."""
    if repo.count(session) > 0:
        return None
    given = settings.admin_password.get_secret_value() if settings.admin_password else None
    password = given or secrets.token_urlsafe(18)
    origin = Origin(via="bootstrap")
    try:
        create_user(session, settings, BOOTSTRAP_ADMIN, password, Role.ADMIN, origin)
    except ValidationFailed as exc:
        raise SettingsError(f"EASYTUNE_ADMIN_PASSWORD: {exc.message}") from None
    return None if given else password
