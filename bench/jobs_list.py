"""GET /api/v1/jobs under load on PostgreSQL with 10,000 jobs.

Creates a fresh database on 127.0.0.1:5432 (user postgres, like the test fixtures), migrates
it, bulk-inserts the jobs across 20 engineers, starts `easytune serve --no-worker` on a free
loopback port, signs in, prints the query plans of the list query, then fires a bounded async
load (N requests, C at once) at the list as admin (sees all) and as one engineer, with and
without a status filter. Prints req/s and p50/p99 latency. Drops the database at the end.

Run: .venv/bin/python bench/jobs_list.py [--jobs 10000] [--requests 2000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import Engine, insert, text

# This checkout's easytune, not the one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from easytune.core import users
from easytune.core.audit import Origin
from easytune.db import create_db_engine, make_session_factory, transaction
from easytune.db.migrate import upgrade_database
from easytune.db.models import Role
from easytune.db.models.jobs import Job
from easytune.testing.fixtures import (
    PG_ADMIN_DSN,
    PG_HOST_URL,
    TEST_PASSWORD,
    TEST_SECRET_KEY,
    platform_settings_for,
)

SRC = Path(__file__).resolve().parents[1] / "src"
STATUSES = ["succeeded"] * 6 + ["failed"] * 2 + ["cancelled", "queued"]
USERS = 20


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, uniquely named PostgreSQL database; dropped (forcibly) on the way out."""
    name = f"easytune_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST_URL}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(engine: Engine, data_dir: Path, jobs: int) -> None:
    """An admin, 20 engineers and `jobs` jobs spread over them (bulk insert, SQLAlchemy core)."""
    settings = platform_settings_for(str(engine.url), data_dir)
    with transaction(make_session_factory(engine)) as session:
        # The API makes the first admin only on an empty users table: make it here.
        users.create_user(
            session, settings, "admin", TEST_PASSWORD, Role.ADMIN, Origin(via="bench")
        )
        owners = [
            users.create_user(
                session, settings, f"user{i}", TEST_PASSWORD, Role.ENGINEER, Origin(via="bench")
            ).id
            for i in range(USERS)
        ]
    rng = random.Random(0)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "owner_id": rng.choice(owners), "name": f"job-{i}", "status": rng.choice(STATUSES),
            "spec": {"version": 1}, "queued_at": start + timedelta(minutes=i),
            "created_at": start + timedelta(minutes=i), "updated_at": start,
        }
        for i in range(jobs)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(Job), rows)
        conn.execute(text("ANALYZE jobs"))


def explain(engine: Engine, owner_id: int) -> None:
    """EXPLAIN ANALYZE the list page and its count, the way the repository issues them."""
    cases = {
        "admin": "",
        "admin+status": "WHERE status = 'succeeded'",
        "user": f"WHERE owner_id = {owner_id}",
        "user+status": f"WHERE owner_id = {owner_id} AND status = 'succeeded'",
    }
    with engine.connect() as conn:
        for label, where in cases.items():
            for sql in (
                f"SELECT * FROM jobs {where} ORDER BY id DESC LIMIT 50 OFFSET 0",
                f"SELECT count(*) FROM (SELECT * FROM jobs {where}) AS q",
            ):
                plan = conn.execute(text(f"EXPLAIN ANALYZE {sql}")).scalars().all()
                print(f"[{label}] {sql}")
                print("    " + "\n    ".join(plan))


@contextmanager
def api(db_url: str, data_dir: Path, port: int) -> Iterator[str]:
    """`easytune serve --no-worker` on loopback; SIGTERM on the way out."""
    env = {
        **os.environ, "PYTHONPATH": str(SRC), "EASYTUNE_DATABASE_URL": db_url,
        "EASYTUNE_DATA_DIR": str(data_dir), "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY,
        "EASYTUNE_ADMIN_PASSWORD": TEST_PASSWORD, "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8", "EASYTUNE_ARGON2_PARALLELISM": "1",
        "EASYTUNE_DEMO_ASSETS": "false", "EASYTUNE_WEB_DIST": "", "EASYTUNE_LOG_LEVEL": "WARNING",
        "EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000",
    }  # fmt: skip
    cmd = [sys.executable, "-m", "easytune", "serve", "--no-worker", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the API did not become ready in 60 s")


def token(base: str, username: str) -> str:
    body = {"username": username, "password": TEST_PASSWORD}
    response = httpx.post(f"{base}/api/v1/auth/login", json=body, timeout=30)
    response.raise_for_status()
    access: str = response.json()["access_token"]
    return access


async def load(base: str, bearer: str, params: dict[str, str], n: int, conc: int) -> str:
    """n GETs of the list, conc at a time; 'req/s, p50, p99' (every answer must be 200)."""
    latencies: list[float] = []
    todo = iter(range(n))
    headers = {"Authorization": f"Bearer {bearer}"}
    limits = httpx.Limits(max_connections=conc)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:

        async def one_worker() -> None:
            for _ in todo:
                began = time.perf_counter()
                response = await client.get("/api/v1/jobs", params=params, timeout=30)
                latencies.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text

        began = time.perf_counter()
        await asyncio.gather(*(one_worker() for _ in range(conc)))
        wall = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return f"{n / wall:7.1f} req/s  p50 {cuts[49] * 1000:6.1f} ms  p99 {cuts[98] * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    with fresh_database() as db_url, tempfile.TemporaryDirectory() as tmp:
        run(db_url, Path(tmp), args)


def run(db_url: str, data_dir: Path, args: argparse.Namespace) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade_database(engine)
        revision = engine.connect().execute(text("SELECT version_num FROM alembic_version"))
        print(f"schema {revision.scalar()}; seeding {args.jobs} jobs over {USERS} users")
        seed(engine, data_dir, args.jobs)
        owner = engine.connect().execute(text("SELECT id FROM users WHERE username='user0'"))
        explain(engine, owner.scalar_one())
    finally:
        engine.dispose()
    port = args.port or _free_port()
    with api(db_url, data_dir, port) as base:
        for who in ("admin", "user0"):
            bearer = token(base, who)
            for params in ({"limit": "50"}, {"limit": "50", "status": "succeeded"}):
                result = asyncio.run(load(base, bearer, params, args.requests, args.concurrency))
                print(f"{who:6} {params!s:40} {result}")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
