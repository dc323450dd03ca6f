"""Schemathesis over every operation of a live server, all phases, signed in as an admin whose
personal token the run cannot revoke; the server's own metrics count requests and 5xx."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from easytune.core.tokens import digest, new_api_token
from easytune.db import create_db_engine, make_session_factory, transaction, utcnow
from easytune.db.models import ApiToken, Role, User
from easytune.testing.live import LiveServer

# Ids no generator aims at (schema boundaries are 1 and 2**63 - 1): the fuzz run's own
# account and token, so no generated PATCH /users/{id} or DELETE /auth/tokens/{id} hits them.
FUZZER_ID = 730_000_117
PHASES = "examples,coverage,fuzzing,stateful"
_SAMPLE = re.compile(r'^easytune_http_requests_total\{[^}]*status="(\d+)"[^}]*\} ([0-9.e+]+)$')


@dataclass(frozen=True)
class FuzzResult:
    requests: int
    server_errors: int
    schemathesis_exit: int
    output: str


def fuzzer_token(database_url: str) -> str:
    """An admin and a personal token with out-of-reach ids; the token's secret."""
    engine = create_db_engine(database_url)
    secret = new_api_token()
    with transaction(make_session_factory(engine)) as session:
        session.add(User(id=FUZZER_ID, username="fuzzer", password_hash="!", role=Role.ADMIN))
        session.flush()
        session.add(ApiToken(
            id=FUZZER_ID, user_id=FUZZER_ID, name="fuzz", prefix=secret[:11],
            token_hash=digest(secret), expires_at=utcnow() + timedelta(days=1),
        ))  # fmt: skip
    engine.dispose()
    return secret


def run_fuzz(server: LiveServer, max_examples: int, workdir: Path) -> FuzzResult:
    """Run schemathesis against `server`; requests and 5xx counted from its /metrics."""
    secret = fuzzer_token(server.database_url)
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--no-color", "run",
        f"{server.base_url}/openapi.json", "--phases", PHASES,
        "--max-examples", str(max_examples), "--checks", "not_a_server_error",
        "-H", f"Authorization: Bearer {secret}", "--workers", "1",
        "--generation-deterministic",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=3000)
    requests, errors = _count(httpx.get(f"{server.base_url}/metrics", timeout=10).text)
    return FuzzResult(requests, errors, done.returncode, done.stdout[-6000:] + done.stderr[-2000:])


def _count(metrics: str) -> tuple[int, int]:
    requests = errors = 0
    for line in metrics.splitlines():
        match = _SAMPLE.match(line)
        if match:
            n = int(float(match.group(2)))
            requests += n
            errors += n if match.group(1).startswith("5") else 0
    return requests, errors
