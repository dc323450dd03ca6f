"""llama.cpp's own tools: its converter scripts (from the llama-cpp-python sdist) and quantiser.

`make install` builds llama-cpp-python (llama.cpp compiled with the machine's gcc and cmake)
and unpacks the matching convert_hf_to_gguf.py, convert_lora_to_gguf.py and gguf-py into the
project's .cache/llama.cpp; EASYTUNE_LLAMA_CPP_DIR (or the spec) may point elsewhere.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from easytune.export.errors import ConversionError, ToolMissingError

# The checkout's .cache/llama.cpp (src/easytune/export/tools.py -> repository root).
DEFAULT_TOOLS_DIR = Path(__file__).resolve().parents[3] / ".cache" / "llama.cpp"
CONVERT_MODEL = "convert_hf_to_gguf.py"
CONVERT_LORA = "convert_lora_to_gguf.py"
INSTALL_HINT = (
    "run `make install` (it needs gcc, g++ and cmake: apt-get install build-essential cmake) "
    "or set EASYTUNE_LLAMA_CPP_DIR to a llama.cpp checkout"
)
# llama.cpp's llama_ftype values for the quantiser (include/llama.h).
FTYPES = {"f16": 1, "q8_0": 7, "q4_k_m": 15}
STDERR_TAIL_LINES = 12


def tools_dir(configured: str | None = None) -> Path:
    """The folder holding llama.cpp's converter scripts, checked."""
    folder = Path(configured).expanduser() if configured else DEFAULT_TOOLS_DIR
    missing = [n for n in (CONVERT_MODEL, CONVERT_LORA, "gguf-py") if not (folder / n).exists()]
    if missing:
        raise ToolMissingError(
            f"llama.cpp's conversion tools are missing in {folder} ({', '.join(missing)}): "
            + INSTALL_HINT,
            param="llama_cpp_dir",
        )
    return folder


def llama_cpp() -> Any:
    """The llama_cpp module (llama.cpp's C library through llama-cpp-python)."""
    try:
        import llama_cpp as module
    except ImportError as exc:
        raise ToolMissingError(
            f"llama-cpp-python is not installed ({exc}): {INSTALL_HINT}", param="llama_cpp_dir"
        ) from exc
    return module


def run_script(folder: Path, script: str, args: list[str]) -> None:
    """Run one converter script with its own gguf-py first on the path; raise on failure."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder / "gguf-py"), str(folder)])}
    argv = [sys.executable, str(folder / script), *args]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise ConversionError(f"llama.cpp's {script} failed (exit {done.returncode}):\n{tail}")


def quantize(source: Path, target: Path, quantization: str) -> None:
    """Quantise a GGUF file with llama.cpp's llama_model_quantize."""
    lib = llama_cpp()
    params = lib.llama_model_quantize_default_params()
    params.ftype = FTYPES[quantization]
    params.nthread = max(1, (os.cpu_count() or 1))
    code = lib.llama_model_quantize(
        str(source).encode(), str(target).encode(), ctypes.byref(params)
    )
    if code != 0 or not target.is_file():
        raise ConversionError(f"llama.cpp could not quantise {source.name} to {quantization}")
