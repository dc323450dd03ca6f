"""What the machine offers: device, GPU memory, bf16, host memory, CPUs, optional kernels."""

from __future__ import annotations

import importlib.util
import os
import time
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


THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_threads(cores: int, load: float, env: dict[str, str] | None = None) -> int | None:
    """Intra-op threads for CPU training: the cores other processes leave idle, at least one;
    None where the environment chose (OMP_NUM_THREADS or MKL_NUM_THREADS: torch read it).

    Torch's OpenMP threads wait for each other at every operation; on a machine whose other
    processes keep the cores busy, a thread that loses its core stalls the rest. Measured on
    2 shared cores at a load of 12 (SmolLM2-135M, batch 8x64, one step): 2 threads took 40 to
    65 s and 15 to 24 s of CPU, 1 thread 10 to 13 s and 4 s of CPU.
    """
    found = env if env is not None else dict(os.environ)
    if any(found.get(name, "").strip() for name in THREAD_ENV):
        return None
    idle = cores - load
    return max(1, min(cores, int(idle + 0.5)))


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat; None where there is none."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    if not fields or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    total = sum(values)
    return total - values[3] - values[4], total


def busy_cores(window_s: float = 0.3) -> float | None:
    """Cores busy right now, sampled over `window_s` (this process sleeps meanwhile)."""
    first = _cpu_ticks()
    time.sleep(window_s)
    second = _cpu_ticks()
    if first is None or second is None or second[1] <= first[1]:
        return None
    share = (second[0] - first[0]) / (second[1] - first[1])
    return share * (os.cpu_count() or 1)


def current_load() -> float:
    """How many cores other processes keep busy: the lower of the 1-minute load average and
    a sample of the last 0.3 s. The average lags a minute behind: a run started just after
    other work ended would see busy cores that are idle (and train on half of them)."""
    try:
        average = os.getloadavg()[0]
    except OSError:  # no load average on this platform
        average = 0.0
    now = busy_cores()
    return average if now is None else min(average, now)


def set_cpu_threads() -> int:
    """Apply `cpu_threads` to torch for this process (the current load); the count."""
    threads = cpu_threads(_cpu_count(), current_load())
    if threads is not None:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


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
