"""One error hierarchy: each error knows its HTTP status and a stable machine code."""

from __future__ import annotations

from typing import Any

# The base lives in easytune.errors (it depends on nothing); imported from here too.
from easytune.errors import EasyTuneError as EasyTuneError


class InvalidRequest(EasyTuneError, ValueError):
    """The request is well-formed but asks for something that cannot be done (400)."""


class ValidationFailed(EasyTuneError, ValueError):
    """A field value breaks a rule (422), e.g. the password policy."""

    status_code = 422
    code = "validation_error"


class ProblemList(ValidationFailed):
    """Several problems found at once (every bad line of a dataset): listed under "errors"."""

    def __init__(self, message: str, problems: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.problems = problems

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "errors": self.problems}


class PayloadTooLarge(EasyTuneError):
    """An upload over the configured limit (413)."""

    status_code = 413
    code = "request_too_large"


class AuthenticationFailed(EasyTuneError):
    """No valid credentials (401); never says which part was wrong."""

    status_code = 401
    code = "unauthorized"

    def __init__(
        self, message: str = "authentication required", *, param: str | None = None
    ) -> None:
        super().__init__(message, param=param)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class InvalidCredentials(AuthenticationFailed):
    """Wrong username or password; the failure is recorded before the error is returned."""

    code = "invalid_credentials"
    keep_changes = True


class TokenReused(AuthenticationFailed):
    """A spent refresh token came back: its whole family was revoked (and that is kept)."""

    code = "token_reused"
    keep_changes = True


class PermissionDenied(EasyTuneError):
    """Authenticated, but the role lacks the permission (403)."""

    status_code = 403
    code = "forbidden"


class NotFound(EasyTuneError, LookupError):
    """Missing, or not visible to this user: both look the same (404)."""

    status_code = 404
    code = "not_found"


class Conflict(EasyTuneError):
    """The request clashes with the current state (409), e.g. a taken username."""

    status_code = 409
    code = "conflict"


class TooManyAttempts(EasyTuneError):
    """Throttled (429); Retry-After says how many seconds to wait."""

    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)}, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(EasyTuneError):
    """A dependency (the database) is not reachable (503)."""

    status_code = 503
    code = "unavailable"


class Overloaded(ServiceUnavailable):
    """Every slot is busy (503); Retry-After says when to come back. Never a 30 s wait."""

    code = "overloaded"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class InsufficientStorage(EasyTuneError):
    """A per-user storage quota would be exceeded (507)."""

    status_code = 507
    code = "quota_exceeded"
