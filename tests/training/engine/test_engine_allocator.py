"""The fixed mmap threshold hands freed activation-sized tensors back to the system."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import ctypes, sys, torch
from easytune.training.allocator import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
big = torch.ones(16 * 1024 * 1024 // 4); del big  # a large free raises glibc's threshold
# Mid-sized tensors, as a layer's activations are: in the heap (kept after free) or mapped
# (returned on free)? Counted while they are alive, which does not depend on trimming.
blocks = [torch.ones(64 * 1024 * 1024 // 4 // 64) for _ in range(64)]
info = libc.mallinfo2()
print(info.arena // 2**20, info.hblkhd // 2**20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_activation_sized_tensors_are_mapped_not_heaped_with_a_fixed_threshold() -> None:
    def heap_and_mapped(mode: str) -> tuple[int, int]:
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True
        )
        heap, mapped = out.stdout.split()
        return int(heap), int(mapped)

    fixed, dynamic = heap_and_mapped("fixed"), heap_and_mapped("dynamic")
    assert fixed[1] >= 64  # mapped: each is handed back to the system when freed
    # glibc's raised threshold puts them in the heap (beside what imports left there), which
    # does not shrink while anything above them lives.
    assert dynamic[1] < 16 and dynamic[0] >= fixed[0] + 48
