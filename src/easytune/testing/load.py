"""A closed-loop HTTP load (N async clients, each sending its next request when the last is
answered) with a /healthz prober alongside; used by bench/load.py and the load test."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import httpx


@dataclass
class LoadResult:
    """What the clients saw, and /healthz latencies sampled during the load."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # transport errors (timeouts...)
    error_examples: dict[str, str] = field(default_factory=dict)  # the first of each kind
    latencies: list[float] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    health_failures: int = 0
    bad_5xx: int = 0  # 5xx other than 503 with Retry-After
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        """Requests answered (any status)."""
        return sum(self.statuses.values())

    def summary(self) -> str:
        """One paragraph: counts, rate, latency percentiles, /healthz."""
        lat = sorted(self.latencies) or [0.0]
        health = sorted(self.health) or [0.0]
        return (
            f"requests {self.requests} in {self.seconds:.1f} s "
            f"({self.requests / max(self.seconds, 1e-9):.0f} req/s), statuses "
            f"{dict(sorted(self.statuses.items()))}, transport errors {dict(self.errors)}, "
            f"5xx other than 503+Retry-After {self.bad_5xx}; latency p50 "
            f"{_pct(lat, 50):.3f} s p99 {_pct(lat, 99):.3f} s; /healthz samples {len(health)}, "
            f"failed {self.health_failures}, p50 {_pct(health, 50) * 1000:.1f} ms, p99 "
            f"{_pct(health, 99) * 1000:.1f} ms, max {health[-1] * 1000:.1f} ms"
        )


def _pct(values: list[float], pct: float) -> float:
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


async def run_load(
    base_url: str, path: str, headers: dict[str, str], clients: int, seconds: float
) -> LoadResult:
    """`clients` clients GET `path` for `seconds`; /healthz is probed every 0.2 s meanwhile,
    from a process of its own, so the clients' busy event loop does not delay its timings."""
    result = LoadResult()
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients + 5)
    started = time.monotonic()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        probe = pool.submit(probe_health, base_url, seconds)
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            workers = [_client(client, path, headers, deadline, result) for _ in range(clients)]
            await asyncio.gather(*workers)
        result.health, result.health_failures = probe.result()
    result.seconds = time.monotonic() - started
    return result


async def _client(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    deadline: float,
    result: LoadResult,
) -> None:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await client.get(path, headers=headers)
        except httpx.HTTPError as exc:
            kind = type(exc).__name__
            result.errors[kind] += 1
            cause = exc.__cause__ or exc.__context__
            seconds = time.perf_counter() - started
            result.error_examples.setdefault(kind, f"{exc!r} after {seconds:.1f} s ({cause!r})")
            continue
        result.latencies.append(time.perf_counter() - started)
        result.statuses[response.status_code] += 1
        if response.status_code >= 500 and not _retryable(response):
            result.bad_5xx += 1
        if response.status_code == 503:
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 503 and "retry-after" in response.headers


def probe_health(base_url: str, seconds: float) -> tuple[list[float], int]:
    """GET /healthz every 0.2 s for `seconds`: the latencies of answers, and the failures."""
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=5) as prober:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                ok = prober.get("/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1
            time.sleep(0.2)
    return latencies, failures


def median_ms(values: list[float]) -> float:
    """The median in milliseconds (0 when empty)."""
    return statistics.median(values) * 1000 if values else 0.0
