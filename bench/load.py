"""200 clients x 60 s against a real `easytune serve`, /healthz probed throughout.

Starts `easytune serve --no-worker` on a free loopback port (SQLite in a temporary data dir,
or a fresh PostgreSQL database on 127.0.0.1:5432 with --db postgres, like the test fixtures),
creates a personal API token, lifts the rate limit, then runs N closed-loop async httpx
clients on GET /api/v1/datasets while probing /healthz every 0.2 s. Prints the counts, the
latency percentiles and the /healthz latencies; exits 1 on any transport error, any 5xx other
than 503 + Retry-After, or any /healthz answer slower than 100 ms (the target holds throughout).

Run: .venv/bin/python bench/load.py [--db sqlite|postgres] [--clients 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# This checkout's easytune, not the one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from easytune.testing.benchprint import emit, percentile
from easytune.testing.fixtures import PG_HOST_URL, _pg_connect
from easytune.testing.live import live_server
from easytune.testing.load import LoadResult, run_load

HEALTHZ_LIMIT_S = 0.1


@contextmanager
def database(kind: str) -> Iterator[str]:
    """'' (SQLite in the data dir) or the URL of a fresh PostgreSQL database, dropped after."""
    if kind == "sqlite":
        yield ""
        return
    name = f"easytune_load_{uuid.uuid4().hex[:10]}"
    with _pg_connect() as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST_URL}/{name}"
    finally:
        with _pg_connect() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    env = {"EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000"}
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(args.db) as url,
        live_server(Path(tmp) / "data", url, env=env) as server,
    ):
        token = httpx.post(
            f"{server.base_url}/api/v1/auth/tokens",
            json={"name": "load", "expires_in_days": 1},
            headers=server.login(),
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        print(f"{args.clients} clients x {args.seconds:g} s, {args.db}", flush=True)
        result = asyncio.run(
            run_load(server.base_url, "/api/v1/datasets", headers, args.clients, args.seconds)
        )
        log = server.log.read_text(errors="replace")[-3000:]
    ok = not result.errors and not result.bad_5xx and not result.health_failures
    ok = ok and bool(result.health) and max(result.health) < HEALTHZ_LIMIT_S
    summary = {
        "req/s": result.requests / max(result.seconds, 1e-9),
        "statuses": dict(sorted(result.statuses.items())), "transport errors": dict(result.errors),
        "5xx other than 503+Retry-After": result.bad_5xx,
        "/healthz failed": result.health_failures, "verdict": "OK" if ok else "FAILED",
    }  # fmt: skip
    note = f"{args.clients} clients x {args.seconds:g} s on GET /api/v1/datasets, {args.db}"
    notes = [note, *(f"{kind}: {text}" for kind, text in result.error_examples.items())]
    if not ok and log.strip():
        notes.append(f"server log tail: {log}")
    emit("load", rows(result), summary=summary, notes=notes)
    return 0 if ok else 1


def rows(result: LoadResult) -> list[dict[str, object]]:
    """Latency percentiles of the load and of the /healthz probes, in ms."""
    found = []
    for name, values in (("GET /api/v1/datasets", result.latencies), ("/healthz", result.health)):
        ms = [v * 1000 for v in values] or [0.0]
        found.append({
            "requests": name, "n": len(values), "p50 ms": percentile(ms, 50),
            "p99 ms": percentile(ms, 99), "max ms": max(ms),
        })  # fmt: skip
    return found


if __name__ == "__main__":
    raise SystemExit(main())
