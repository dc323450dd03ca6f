"""The fixed mmap threshold hands freed activation-sized tensors back to the system."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys, torch
from easytune.training.allocator import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
for _ in range(3):  # many mid-sized tensors, as a layer's activations are
    blocks = [torch.ones(64 * 1024 * 1024 // 4 // 64) for _ in range(64)]
    del blocks
    big = torch.ones(16 * 1024 * 1024 // 4); del big  # a large free raises glibc's threshold
print(rss() // 2**20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_tensors_leave_the_process_with_a_fixed_threshold() -> None:
    def resident(mode: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip())

    assert resident("fixed") + 32 < resident("dynamic")
