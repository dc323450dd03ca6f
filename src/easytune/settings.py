"""The one Settings object: read from EASYTUNE_* environment variables, validated at start-up."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from easytune.secret_files import SecretFileError, secret_files_source

ENV_PREFIX = "EASYTUNE_"
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
# Placeholders copied from examples and tutorials; a key containing one is not a secret.
INSECURE_SECRET_WORDS = ("changethis", "changeme", "secret", "password", "example", "insecure")


DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
# The repository's built UI, when the package runs from a source checkout (src/easytune).
SOURCE_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def default_web_dist() -> Path | None:
    """The checkout's web/dist when it has been built, else None (`/` explains how to build)."""
    return SOURCE_WEB_DIST if (SOURCE_WEB_DIST / "index.html").is_file() else None


class SettingsError(ValueError):
    """Settings that cannot start the platform; the message names each variable and the fix."""


class Settings(BaseSettings):
    """Every knob of the platform. Nothing else in the code reads the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", validate_default=True, frozen=True
    )

    data_dir: Path = Field(Path("./data"), description="Where the database, files and key live.")
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means SQLite file easytune.db in DATA_DIR."
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs tokens; empty means generate once and keep in DATA_DIR."
    )
    admin_password: SecretStr | None = Field(
        None, description="Password of the first admin; empty means a random one, printed once."
    )
    host: str = Field("127.0.0.1", min_length=1, description="Address `easytune serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `easytune serve` listens on.")
    executor: Literal["local", "celery"] = Field("local", description="How jobs reach workers.")
    broker_url: str = Field(
        "", description="Celery broker; empty means REDIS_URL, else redis://127.0.0.1:6379/0."
    )
    redis_url: str = Field(
        "", description="Redis for shared API rate limits; empty keeps the limits in memory."
    )
    rate_limit_per_minute: int = Field(
        600, ge=1, le=1_000_000, description="API requests per user (or address) per minute."
    )
    max_request_bytes: int = Field(
        1 << 20, ge=1024, description="Largest request body, except dataset uploads."
    )
    max_upload_bytes: int = Field(
        2 << 30, ge=1024, description="Largest dataset upload (multipart body)."
    )
    import_max_bytes: int = Field(
        1 << 30, ge=1024, description="Largest adapter zip for POST /models/import."
    )
    import_max_files: int = Field(32, ge=2, le=1000, description="Files an adapter zip may hold.")
    import_max_unpacked_bytes: int = Field(
        2 << 30, ge=1024, description="Largest unpacked total of an adapter zip (zip bombs)."
    )
    import_max_rank: int = Field(256, ge=1, le=4096, description="Largest LoRA rank imported.")
    import_max_relative_update: float = Field(
        1.0, gt=0, description="Largest ||B A|| * alpha / r of a module, relative to its weight."
    )
    import_probes_per_set: int = Field(
        4, ge=1, le=1000, description="Safety and general probes run on an imported adapter."
    )
    demo_assets: bool = Field(
        True, description="Register the demo model (if installed) and dataset at first start."
    )
    stats_tokenizer: str = Field(
        "",
        description="Tokenizer folder for dataset statistics; empty: the demo model's "
        "tokenizer when installed, else byte-level counts.",
    )
    llama_cpp_dir: str = Field(
        "",
        description="llama.cpp's converter scripts (convert_hf_to_gguf.py, gguf-py) for GGUF "
        "export; empty: the checkout's .cache/llama.cpp that `make install` writes.",
    )
    playground_cache_bases: int = Field(
        1, ge=1, le=16, description="Base models the playground keeps loaded."
    )
    playground_cache_adapters: int = Field(
        4, ge=1, le=64, description="Adapters the playground keeps attached per base model."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level of the API and workers."
    )
    log_json: bool = Field(True, description="One JSON object per log line (else plain text).")
    access_token_minutes: int = Field(15, ge=1, le=24 * 60, description="Access token lifetime.")
    refresh_token_days: int = Field(14, ge=1, le=365, description="Refresh token lifetime.")
    api_token_max_days: int = Field(365, ge=1, le=3650, description="Longest personal token.")
    argon2_time_cost: int = Field(3, ge=1, le=50, description="argon2id iterations.")
    argon2_memory_kib: int = Field(65536, ge=8, le=4 * 1024 * 1024, description="argon2id memory.")
    argon2_parallelism: int = Field(4, ge=1, le=64, description="argon2id lanes.")
    login_window_seconds: int = Field(900, ge=1, description="Failed logins count within this.")
    login_account_free_failures: int = Field(5, ge=1, description="Failures before a delay.")
    login_account_max_delay_seconds: int = Field(
        60, ge=1, le=900, description="Longest wait one account can be put on (victim bound)."
    )
    login_client_free_failures: int = Field(20, ge=1, description="Per-address free failures.")
    login_client_max_delay_seconds: int = Field(900, ge=1, description="Per-address longest wait.")
    auto_migrate: bool = Field(True, description="Apply database migrations at start-up.")
    # Jobs queue and workers (easytune.jobs).
    embedded_worker: bool = Field(
        False, description="Run a local job worker inside the API (`easytune serve` sets it)."
    )
    worker_slots: int = Field(1, ge=1, le=64, description="Jobs one worker runs at once.")
    job_runner: str = Field("training", min_length=1, description="Child command: a runner name.")
    job_command: str = Field("", description="argv template with {spec}, for runner `command`.")
    job_max_attempts: int = Field(3, ge=1, le=100, description="Tries before a job fails.")
    job_lease_seconds: float = Field(60.0, ge=1, description="A silent worker loses a job after.")
    job_heartbeat_seconds: float = Field(5.0, gt=0, description="How often leases are renewed.")
    job_poll_seconds: float = Field(1.0, gt=0, description="Idle worker's wait between claims.")
    job_cancel_grace_seconds: float = Field(30.0, gt=0, description="SIGTERM to SIGKILL delay.")
    job_stall_warn_minutes: float = Field(10.0, gt=0, description="No progress: warn after.")
    job_stall_fail_minutes: float = Field(30.0, gt=0, description="No progress: fail after.")
    job_shutdown_timeout_seconds: float = Field(
        60.0, ge=0, description="On worker stop, running jobs may finish for this long."
    )
    jobs_per_user_running: int = Field(
        2, ge=0, description="Running jobs per user at once; 0 means no limit."
    )
    celery_queue: str = Field("easytune", min_length=1, description="Celery queue of job ids.")
    # Capacity and abuse limits (docs/configuration.md, "Limits").
    api_concurrency: int = Field(
        8, ge=1, le=1024, description="Requests using the database at once; others wait."
    )
    api_queue_seconds: float = Field(
        10.0, gt=0, le=300, description="Longest wait for a slot before 503 + Retry-After."
    )
    auth_cache_seconds: float = Field(
        30.0, ge=0, le=900,
        description="An access token's user and role are cached this long per process; 0: off.",
    )  # fmt: skip
    db_pool_timeout_seconds: float = Field(
        5.0, gt=0, le=300, description="Longest wait for a database connection before 503."
    )
    http_keepalive_seconds: float = Field(
        75.0, gt=0, le=3600,
        description="An idle HTTP connection stays open this long; over the proxy's upstream "
        "keep-alive (nginx: 60 s), so a reused connection is never closed under a request.",
    )  # fmt: skip
    streams_per_user: int = Field(8, ge=1, le=1000, description="Open job streams per user.")
    stream_keepalive_seconds: float = Field(
        15.0, gt=0, le=300, description="Job streams send a keep-alive and re-check access."
    )
    stream_poll_seconds: float = Field(
        0.5, gt=0, le=60, description="How often an open job stream reads new rows."
    )
    dataset_quota_bytes: int = Field(
        20 << 30, ge=0, description="Dataset bytes one user may store; 0 means no quota."
    )
    dataset_max_rows: int = Field(
        1_000_000, ge=1, description="Records one dataset file may hold (checked as read)."
    )
    dataset_max_tokens: int = Field(
        500_000_000, ge=1, description="Tokens one dataset may hold (statistics tokenizer)."
    )
    dataset_parse_memory_mb: int = Field(
        4096, ge=256, description="Address space of the process that parses an upload."
    )
    dataset_parse_seconds: int = Field(
        600, ge=5, description="CPU seconds the parsing process may use."
    )
    playground_max_prompt_tokens: int = Field(
        4096, ge=16, description="Prompt tokens the playground accepts (also the model's context)."
    )
    playground_generations_per_user: int = Field(
        2, ge=1, le=64, description="Playground answers one user may have running at once."
    )
    session_max_days: int = Field(
        30, ge=1, le=3650, description="A sign-in ends after this long, refreshed or not."
    )
    engineer_max_priority: int = Field(
        5, ge=0, le=10, description="Highest job priority an engineer may set (admins: 10)."
    )
    metrics_token: SecretStr | None = Field(
        None, description="When set, /metrics requires `Authorization: Bearer <this>`."
    )
    web_dist: Path | None = Field(
        default_factory=default_web_dist,
        description="Built web UI served at /; default the checkout's web/dist; empty: none.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # EASYTUNE_<SECRET>_FILE (Docker secrets) sits beside the plain variables.
        files = secret_files_source(settings_cls, ENV_PREFIX)
        return init_settings, files, env_settings, dotenv_settings, file_secret_settings

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        # psycopg 3 is the driver we ship; plain postgres URLs would ask for psycopg2.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        if value and not value.startswith(("sqlite", "postgresql+psycopg")):
            raise ValueError("use a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("web_dist", mode="before")
    @classmethod
    def _empty_web_dist_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("web_dist")
    @classmethod
    def _web_dist_is_built(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "index.html").is_file():
            raise ValueError(
                f"{value} has no index.html; build the UI (`make web-build`) or set it empty"
            )
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_metrics_token_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        check_secret_key(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            path = (self.data_dir / "easytune.db").resolve()
            object.__setattr__(self, "database_url", f"sqlite:///{path}")
        return self

    @field_validator("job_heartbeat_seconds")
    @classmethod
    def _heartbeat_within_lease(cls, value: float, info: ValidationInfo) -> float:
        lease = info.data.get("job_lease_seconds")
        if lease is not None and value * 2 > lease:
            raise ValueError(
                f"must be at most half of EASYTUNE_JOB_LEASE_SECONDS ({lease:g}), "
                "or healthy jobs lose their lease"
            )
        return value

    @property
    def celery_broker_url(self) -> str:
        """The Celery broker: BROKER_URL, else REDIS_URL, else the local Redis."""
        return self.broker_url or self.redis_url or DEFAULT_BROKER_URL

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file (WAL, BEGIN IMMEDIATE)."""
        return self.database_url.startswith("sqlite")

    def secret(self) -> str:
        """The signing key; load_settings() fills it in, so it is never empty at run time."""
        if self.secret_key is None:
            raise SettingsError("EASYTUNE_SECRET_KEY: unresolved; use load_settings()")
        return self.secret_key.get_secret_value()


def check_secret_key(key: str) -> None:
    """Refuse keys that are short, low-variety or tutorial placeholders."""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ValueError(
            f"must be at least {MIN_SECRET_KEY_LENGTH} characters; generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` or leave it unset"
        )
    if len(set(key)) < 16 or any(word in key.lower() for word in INSECURE_SECRET_WORDS):
        raise ValueError("looks like a placeholder, not a random key; generate a random one")


def load_settings(**overrides: Any) -> Settings:
    """Read the environment (plus overrides), validate, and resolve the secret key file."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(format_settings_errors(exc)) from None
    except SecretFileError as exc:
        raise SettingsError(f"Invalid settings:\n  {exc}") from None
    if settings.secret_key is None:
        key = _load_or_create_secret(settings.data_dir)
        settings = settings.model_copy(update={"secret_key": SecretStr(key)})
    return settings


def format_settings_errors(exc: ValidationError) -> str:
    """One line per problem, each naming the environment variable to change."""
    lines = ["Invalid settings:"]
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "settings"
        secret = field in {"secret_key", "admin_password", "metrics_token"}
        value = "" if secret else f" (got {error['input']!r})"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {ENV_PREFIX}{field.upper()}: {message}{value}")
    return "\n".join(lines)


def _load_or_create_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return _read_secret(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _read_secret(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SettingsError(
            f"EASYTUNE_SECRET_KEY: the key file {path} is readable by others (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    key = path.read_text().strip()
    try:
        check_secret_key(key)
    except ValueError as exc:
        raise SettingsError(f"EASYTUNE_SECRET_KEY: the key file {path}: {exc}") from None
    return key
