"""Schemathesis over every operation of a real `easytune serve`, all phases (examples,
coverage, fuzzing, stateful), signed in as an admin whose token the run cannot revoke.

Prints the number of requests the server answered (from its own /metrics) and how many were
5xx; exits 1 on any 5xx or fewer than --min-requests requests.

Run: .venv/bin/python bench/fuzz.py [--max-examples 100] [--min-requests 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

# This checkout's easytune, not the one the venv's editable install points at.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from easytune.testing.benchprint import emit
from easytune.testing.fuzz import run_fuzz
from easytune.testing.live import live_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--min-requests", type=int, default=2000)
    args = parser.parse_args()
    env = {"EASYTUNE_RATE_LIMIT_PER_MINUTE": "1000000"}
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp) / "data", env=env) as srv:
        result = run_fuzz(srv, args.max_examples, Path(tmp))
    print(result.output)
    ok = result.server_errors == 0 and result.requests >= args.min_requests
    row = {
        "requests answered": result.requests, "5xx": result.server_errors,
        "schemathesis exit": result.schemathesis_exit, "verdict": "OK" if ok else "FAILED",
    }  # fmt: skip
    emit("fuzz", [row], notes=[f"at least {args.min_requests} requests, no 5xx"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
