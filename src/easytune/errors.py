"""The one error base: a machine code, a message, the parameter at fault and an HTTP status.

Depends on nothing, so every layer (training, intent, jobs, core) subclasses it and the API's
one handler renders them all as {"error": {"code", "message", "param"}}.
"""

from __future__ import annotations

from typing import Any, ClassVar


class EasyTuneError(Exception):
    """Base of every error shown to a client as {"error": {"code", "message", "param"}}."""

    status_code: ClassVar[int] = 400
    # A class default that one raise may refine (e.g. "plan_does_not_fit" under a 422).
    code: str = "invalid_request"
    # Security records (failed logins, token reuse) must survive the failing request.
    keep_changes: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.headers = headers or {}
        # The message as {code, params} (easytune.i18n), for the reader's language; optional.
        self.detail = detail
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The body under the "error" key."""
        body = {"code": self.code, "message": self.message, "param": self.param}
        return {**body, "detail": self.detail} if self.detail else body
