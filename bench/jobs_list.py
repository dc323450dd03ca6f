"""GET /api/v1/jobs?limit=50 under 50 concurrent clients on PostgreSQL with 10,000 jobs.

Creates a fresh database on 127.0.0.1:5432 (user postgres, like the test fixtures), migrates
it, bulk-inserts the jobs across 20 engineers, then for each server variant starts
`easytune serve --no-worker` on a loopback port and measures:

- the list as admin (sees all) and as one engineer with a status filter, C clients at once
  for S seconds: req/s, p50, p99 (target: p99 < 50 ms at 50 clients);
- the list as admin, the same C clients each polling once every --pace seconds (an open
  load, like browsers on the jobs page; async httpx): p99 (target: < 50 ms);
- /healthz and /auth/me one request at a time: client p50, and the server's own time per
  request read from its /metrics histogram (target for /healthz: < 1 ms);
- the server process's CPU per request (/proc): on a shared machine, the steadiest number.

Back to back, C clients wait on each other: p99 is about C / throughput, so the closed-loop
rows measure capacity, and the paced row measures latency at a given load.

Variants, all in the same run on the same database: this tree; this tree with the auth cache
off (EASYTUNE_AUTH_CACHE_SECONDS=0); and, with --baseline-src DIR, another checkout's src
(e.g. /work/main/src) as the before. The load generator is `wrk` when it is on PATH
(Debian's package; compiled, so it costs the server little CPU), else an async httpx client;
the output says which. --explain prints the list queries' plans. Drops the database at the end.

Run: .venv/bin/python bench/jobs_list.py [--jobs 10000] [--clients 50] [--seconds 10]
         [--baseline-src /work/main/src] [--loader wrk|httpx] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from easytune.testing.benchprint import emit, percentile, ratio
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
def api(
    db_url: str, data_dir: Path, port: int, pythonpath: str, extra: dict[str, str]
) -> Iterator[Server]:
    """`easytune serve --no-worker` on loopback, importing from `pythonpath`; SIGTERM after."""
    env = {
        **os.environ, "PYTHONPATH": pythonpath, "EASYTUNE_DATABASE_URL": db_url,
        "EASYTUNE_DATA_DIR": str(data_dir), "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY,
        "EASYTUNE_ADMIN_PASSWORD": TEST_PASSWORD, "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8", "EASYTUNE_ARGON2_PARALLELISM": "1",
        "EASYTUNE_DEMO_ASSETS": "false", "EASYTUNE_WEB_DIST": "", "EASYTUNE_LOG_LEVEL": "WARNING",
        "EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000", **extra,
    }  # fmt: skip
    cmd = [sys.executable, "-m", "easytune", "serve", "--no-worker", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 240  # a busy shared machine starts slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the API did not become ready in 240 s")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def token(base: str, username: str) -> str:
    body = {"username": username, "password": TEST_PASSWORD}
    response = httpx.post(f"{base}/api/v1/auth/login", json=body, timeout=30)
    response.raise_for_status()
    access: str = response.json()["access_token"]
    return access


# wrk reports through this script: one JSON line after its own summary.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"seconds":%f,"non2xx":%d,"errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_load(url: str, bearer: str, clients: int, seconds: float) -> dict[str, float]:
    """`wrk` on one thread (the server needs the other cores): req/s, p50, p99 in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        cmd = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s",
               "-s", script.name, "-H", f"Authorization: Bearer {bearer}", url]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    if found["non2xx"] or found["errors"]:
        raise SystemExit(f"wrk saw {found['non2xx']} non-2xx answers, {found['errors']} errors")
    return _summary(found["requests"], found["seconds"], found["p50_us"] / 1e6,
                    found["p99_us"] / 1e6)  # fmt: skip


async def httpx_load(
    url: str, bearer: str, clients: int, seconds: float, pace: float = 0.0
) -> dict[str, float]:
    """`clients` async httpx clients in this process (one connection each), each sending back
    to back, or with `pace`, each starting one request every `pace` seconds (an open load of
    clients/pace req/s, like browsers polling a page). Transport errors are counted."""
    latencies: list[float] = []
    errors = 0
    began = time.perf_counter()
    stop = began + seconds

    async def one_client(offset: float) -> None:
        nonlocal errors
        headers = {"Authorization": f"Bearer {bearer}"}
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            due = began + offset
            while due < stop:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                sent = time.perf_counter()
                due = due + pace if pace else sent
                try:
                    response = await client.get(url)
                except httpx.TransportError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                assert response.status_code == 200, response.text

    await asyncio.gather(*(one_client(pace * i / clients) for i in range(clients)))
    wall = time.perf_counter() - began
    found = _summary(len(latencies), wall, percentile(latencies, 50), percentile(latencies, 99))
    return {**found, "errors": float(errors)}


def _summary(requests: int, wall: float, p50: float, p99: float) -> dict[str, float]:
    return {"req/s": requests / wall, "p50 ms": p50 * 1000, "p99 ms": p99 * 1000}


def serial(server: Server, path: str, bearer: str, n: int) -> dict[str, float]:
    """n requests one at a time: the client's p50, the server's mean time per request from
    the difference of its /metrics histogram (app and middleware), and its CPU per request."""
    headers = {"Authorization": f"Bearer {bearer}"}
    with httpx.Client(base_url=server.base, headers=headers, timeout=30) as client:
        for _ in range(20):  # warm: first calls import and cache
            client.get(path).raise_for_status()
        before, cpu = server_time(client, path), server.cpu_seconds()
        latencies = []
        for _ in range(n):
            began = time.perf_counter()
            client.get(path).raise_for_status()
            latencies.append(time.perf_counter() - began)
        cpu = server.cpu_seconds() - cpu
        after = server_time(client, path)
    server_ms = (after[0] - before[0]) / (after[1] - before[1]) * 1000
    return {"client p50 ms": percentile(latencies, 50) * 1000, "server ms": server_ms,
            "server CPU ms/req": cpu / n * 1000}  # fmt: skip


def server_time(client: httpx.Client, route: str) -> tuple[float, float]:
    """(seconds, requests) so far for `route` with status 200, from /metrics."""
    totals = {"_sum": 0.0, "_count": 0.0}
    label = f'route="{route}"'
    for line in client.get("/metrics").text.splitlines():
        name, _, value = line.rpartition(" ")
        for suffix in totals:
            metric = "easytune_http_request_duration_seconds" + suffix + "{"
            if name.startswith(metric) and label in name and 'status="200"' in name:
                totals[suffix] += float(value)
    return totals["_sum"], totals["_count"]


def measure(server: Server, args: argparse.Namespace) -> list[dict[str, object]]:
    """All scenarios against one running server, as table rows."""
    admin, user = token(server.base, "admin"), token(server.base, "user0")
    rows: list[dict[str, object]] = []
    for path in ("/healthz", "/api/v1/auth/me"):
        rows.append({"scenario": f"{path} serial", **serial(server, path, admin, args.serial)})
    lists = {"admin ?limit=50": (admin, "limit=50"),
             "user0 ?limit=50&status=succeeded": (user, "limit=50&status=succeeded")}  # fmt: skip
    for label, (bearer, query) in lists.items():
        url = f"{server.base}/api/v1/jobs?{query}"
        for _ in range(10):  # warm: the first answers are slow
            httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}).raise_for_status()
        cpu = server.cpu_seconds()
        result = load_with(args.loader, url, bearer, args.clients, args.seconds)
        result["server CPU ms/req"] = (
            (server.cpu_seconds() - cpu) / max(result["req/s"] * args.seconds, 1) * 1000
        )
        rows.append({"scenario": f"jobs {label}, {args.clients} clients", **result})
    if args.pace:
        url = f"{server.base}/api/v1/jobs?limit=50"
        paced = asyncio.run(httpx_load(url, admin, args.clients, args.seconds, args.pace))
        label = f"jobs admin, {args.clients} clients x 1 per {args.pace:g} s (httpx)"
        rows.append({"scenario": label, **paced})
    return rows


def load_with(loader: str, url: str, bearer: str, clients: int, seconds: float) -> dict[str, float]:
    if loader == "wrk":
        return wrk_load(url, bearer, clients, seconds)
    return asyncio.run(httpx_load(url, bearer, clients, seconds))


def variants(args: argparse.Namespace) -> dict[str, tuple[str, dict[str, str]]]:
    """Server variants to measure, by label: (PYTHONPATH, extra environment)."""
    found = {
        "this tree": (str(SRC), {}),
        "this tree, auth cache off": (str(SRC), {"EASYTUNE_AUTH_CACHE_SECONDS": "0"}),
    }
    if args.baseline_src:
        found = {"baseline": (str(args.baseline_src), {}), **found}
    if args.with_path:  # e.g. httptools and uvloop from `pip install --target DIR`
        found[f"this tree + {args.with_path.name}/"] = (f"{SRC}{os.pathsep}{args.with_path}", {})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="per loaded scenario")
    parser.add_argument("--serial", type=int, default=500, help="requests per serial scenario")
    parser.add_argument("--loader", choices=("wrk", "httpx"),
                        default="wrk" if shutil.which("wrk") else "httpx")  # fmt: skip
    parser.add_argument("--pace", type=float, default=1.0,
                        help="also: each client one list request per PACE s (0: skip)")  # fmt: skip
    parser.add_argument("--baseline-src", type=Path, help="measure this src dir first too")
    extra_help = "also: this tree with DIR on PYTHONPATH (e.g. httptools, uvloop)"
    parser.add_argument("--with-path", type=Path, help=extra_help)
    parser.add_argument("--rounds", type=int, default=1, help="variants in turn; medians")
    parser.add_argument("--explain", action="store_true", help="print the list query plans")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    with fresh_database() as db_url, tempfile.TemporaryDirectory() as tmp:
        run(db_url, Path(tmp), args)


def run(db_url: str, data_dir: Path, args: argparse.Namespace) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade_database(engine)
        seed(engine, data_dir, args.jobs)
        if args.explain:
            owner = engine.connect().execute(text("SELECT id FROM users WHERE username='user0'"))
            explain(engine, owner.scalar_one())
    finally:
        engine.dispose()
    rows: list[dict[str, object]] = []
    for _ in range(args.rounds):  # variants in turn, each round: drift hits them alike
        for label, (path, extra) in variants(args).items():
            with api(db_url, data_dir, args.port or _free_port(), path, extra) as server:
                rows += [{"server": label, **row} for row in measure(server, args)]
    rows = medians(rows)
    emit("jobs_list", rows, summary=summarize(rows, args), notes=[
        f"{args.jobs} jobs on PostgreSQL, load generator: {args.loader}",
        "same machine as the server; compare rows of this run, not across runs",
    ])  # fmt: skip


def medians(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """One row per (server, scenario): the median of each number over the rounds."""
    groups: dict[tuple[object, object], list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault((row["server"], row["scenario"]), []).append(row)
    return [
        {**same[0], **{k: statistics.median(float(r[k]) for r in same)  # type: ignore[arg-type]
                       for k, v in same[0].items() if isinstance(v, float)}}
        for same in groups.values()
    ]  # fmt: skip


def summarize(rows: list[dict[str, object]], args: argparse.Namespace) -> dict[str, object]:
    """The targets, and each variant's p99 over this tree's."""

    def pick(server: str, scenario: str, key: str) -> float:
        for row in rows:
            if row["server"] == server and str(row["scenario"]).startswith(scenario):
                return float(row[key])  # type: ignore[arg-type]
        return float("nan")

    p99 = pick("this tree", "jobs admin ?", "p99 ms")
    cpu = pick("this tree", "jobs admin ?", "server CPU ms/req")
    summary: dict[str, object] = {
        f"p99 list, {args.clients} clients back to back, ms": round(p99, 1),
        f"p99 list, {args.clients} clients paced, ms (target < 50)": round(
            pick("this tree", "jobs admin, ", "p99 ms"), 1
        ),
        "/healthz server ms (target < 1)": round(pick("this tree", "/healthz", "server ms"), 3),
        "/healthz server CPU ms/req": round(pick("this tree", "/healthz", "server CPU ms/req"), 3),
        "list server CPU/req, auth cache off / on": ratio(
            pick("this tree, auth cache off", "jobs admin ?", "server CPU ms/req"), cpu
        ),
    }
    if args.baseline_src:
        for key in ("p99 ms", "server CPU ms/req"):
            summary[f"list {key}, baseline / this tree"] = ratio(
                pick("baseline", "jobs admin ?", key), pick("this tree", "jobs admin ?", key)
            )
        summary["/healthz server CPU, baseline / this tree"] = ratio(
            pick("baseline", "/healthz", "server CPU ms/req"),
            pick("this tree", "/healthz", "server CPU ms/req"),
        )
    return summary


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
