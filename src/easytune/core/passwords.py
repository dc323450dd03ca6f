"""argon2id password hashing and the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from easytune.core.errors import ValidationFailed
from easytune.settings import Settings

MIN_LENGTH = 8
# Long passphrases are welcome; the cap only stops megabyte "passwords" from burning CPU.
MAX_LENGTH = 1024


@cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def hasher_for(settings: Settings) -> PasswordHasher:
    """The argon2id hasher with the costs from settings."""
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


def hash_password(settings: Settings, password: str) -> str:
    """An argon2id hash string (salt and parameters included)."""
    return hasher_for(settings).hash(password)


def verify_password(settings: Settings, password_hash: str, password: str) -> bool:
    """True when `password` matches; a malformed stored hash counts as a mismatch."""
    try:
        return hasher_for(settings).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(settings: Settings, password_hash: str) -> bool:
    """True when the hash was made with other costs than the current settings."""
    return hasher_for(settings).check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of commonly used passwords, lower-case."""
    text = resources.files("easytune.core").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why `password` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return (
            f"must be at least {MIN_LENGTH} characters; a passphrase of a few unrelated "
            "words is easy to remember and hard to guess"
        )
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in common_passwords():
        return "is on the list of commonly used passwords; choose a longer, less common one"
    # Very short names (2-3 letters) occur inside ordinary words; only longer ones count.
    if username and len(username) >= 4 and username.lower() in lowered:
        return "must not contain the username"
    return None


def check_password_policy(
    password: str, username: str | None = None, param: str = "password"
) -> None:
    """Raise ValidationFailed naming `param` when the policy refuses `password`."""
    problem = password_problem(password, username)
    if problem is not None:
        raise ValidationFailed(f"{param} {problem}", param=param, code="weak_password")
