"""`EASYTUNE_<NAME>_FILE`: read a secret setting from a file (Docker/Compose secrets).

The convention of the official postgres and redis images: `EASYTUNE_SECRET_KEY_FILE=/run/
secrets/secret_key` instead of the key itself in the environment, where `docker inspect`
and child processes would see it. Used by `Settings` as one more settings source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

# The settings that may hold a credential; only these accept a _FILE variant.
SECRET_FIELDS = ("secret_key", "admin_password", "database_url", "broker_url", "redis_url")
FILE_SUFFIX = "_FILE"


class SecretFileError(ValueError):
    """A _FILE variable that cannot be used; the message names it and the fix."""


class SecretFilesSource(PydanticBaseSettingsSource):
    """Values of SECRET_FIELDS from the files named by `<PREFIX><FIELD>_FILE` variables."""

    def __init__(
        self, settings_cls: type[BaseSettings], prefix: str, environ: Mapping[str, str]
    ) -> None:
        super().__init__(settings_cls)
        self.prefix = prefix
        self.environ = environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._read(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        values = {name: self._read(name) for name in SECRET_FIELDS}
        return {name: value for name, value in values.items() if value is not None}

    def _read(self, name: str) -> str | None:
        variable = f"{self.prefix}{name.upper()}"
        path = self.environ.get(variable + FILE_SUFFIX)
        if not path:
            return None
        if self.environ.get(variable):
            raise SecretFileError(
                f"{variable} and {variable}{FILE_SUFFIX} are both set; keep only one"
            )
        return read_secret_file(Path(path), variable + FILE_SUFFIX)


def read_secret_file(path: Path, variable: str) -> str:
    """The file's text without the trailing newline an editor or `echo` adds."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SecretFileError(
            f"{variable}: cannot read {path} ({exc.strerror or exc}); mount the secret there "
            "or unset the variable"
        ) from None
    value = text.rstrip("\r\n")
    if not value.strip():
        raise SecretFileError(f"{variable}: {path} is empty; write the secret into it")
    return value


def secret_files_source(settings_cls: type[BaseSettings], prefix: str) -> SecretFilesSource:
    """The source over the process environment (read when settings are built, never at import)."""
    return SecretFilesSource(settings_cls, prefix, dict(os.environ))
