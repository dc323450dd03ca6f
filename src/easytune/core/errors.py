"""One error hierarchy: each error knows its HTTP status and a stable machine code."""

from __future__ import annotations

from typing import Any, ClassVar


class EasyTuneError(Exception):
    """Base of every error shown to a client as {"error": {"code", "message", "param"}}."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "invalid_request"
    # Security records (failed logins, token reuse) must survive the failing request.
    keep_changes: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.headers = headers or {}
        if code is not None:
            self.code = code  # type: ignore[misc]  # per-instance refinement of the class code

    def to_dict(self) -> dict[str, Any]:
        """The body under the "error" key."""
        return {"code": self.code, "message": self.message, "param": self.param}


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

    def __init__(self, message: str = "authentication required", **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
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
