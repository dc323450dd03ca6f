"""CPU training threads: the cores other processes leave idle, unless the environment chose."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from easytune.training.hardware import busy_cores, cpu_threads, current_load, set_cpu_threads


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [(2, 0.1, 2), (2, 0.7, 1), (2, 12.0, 1), (16, 3.2, 13), (16, 0.0, 16), (4, 1.4, 3)],
)
def test_threads_are_the_idle_cores_at_least_one(cores: int, load: float, expected: int) -> None:
    assert cpu_threads(cores, load, env={}) == expected


def test_the_environment_wins() -> None:
    assert cpu_threads(8, 0.0, env={"OMP_NUM_THREADS": "3"}) is None  # torch read it already
    assert cpu_threads(8, 9.0, env={"MKL_NUM_THREADS": "4"}) is None
    assert cpu_threads(8, 9.0, env={"OMP_NUM_THREADS": ""}) == 1  # empty: not a choice


def test_set_cpu_threads_applies_the_count() -> None:
    before = torch.get_num_threads()
    try:
        threads = set_cpu_threads()
        assert threads == torch.get_num_threads() >= 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc/stat")
def test_a_busy_core_is_seen_now_not_a_minute_later() -> None:
    """A spinning process shows as about one busy core within the 0.3 s sample, where the
    1-minute load average would take a minute to rise (and a minute to fall after it ends)."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)  # the interpreter has started and spins
        busy = busy_cores()
    finally:
        spinner.kill()
        spinner.wait()
    assert busy is not None and busy >= 0.6
    assert current_load() <= os.getloadavg()[0]  # never more than the average
