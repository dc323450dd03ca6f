"""What the machine offers: device, GPU memory, bf16, host memory, CPUs, optional kernels."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import torch

from easytune.training.facts import HardwareFacts


def host_memory_bytes() -> int:
    """Available host memory (MemAvailable from /proc/meminfo, else total physical pages)."""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _cpu_count() -> int:
    # Respect CPU affinity (containers, taskset) where the platform tells us.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def detect_hardware() -> HardwareFacts:
    """Facts about this machine for the intent engine and the engine's own checks."""
    cuda = torch.cuda.is_available()
    props = torch.cuda.get_device_properties(0) if cuda else None
    return HardwareFacts(
        device="cuda" if cuda else "cpu",
        gpu_count=torch.cuda.device_count() if cuda else 0,
        gpu_memory_bytes=int(props.total_memory) if props is not None else 0,
        gpu_name=str(props.name) if props is not None else "",
        bf16_supported=bool(cuda and torch.cuda.is_bf16_supported()),
        host_memory_bytes=host_memory_bytes(),
        cpu_count=_cpu_count(),
        bitsandbytes=_importable("bitsandbytes"),
        flash_attention=cuda and _importable("flash_attn"),
    )
