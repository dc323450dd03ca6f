"""The environment a training child gets: what it needs to run, never the server's secrets."""

from __future__ import annotations

from collections.abc import Mapping

# Names passed as they are, and prefixes of families passed whole.
PASSED = frozenset({
    "PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONHASHSEED", "VIRTUAL_ENV", "HOME", "USER",
    "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "LD_LIBRARY_PATH",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "MASTER_ADDR", "MASTER_PORT",
    "WORLD_SIZE", "RANK", "LOCAL_RANK",
})  # fmt: skip
PASSED_PREFIXES = (
    "LC_",
    "CUDA_",
    "NVIDIA_",
    "HF_",
    "HUGGINGFACE_",
    "TRANSFORMERS_",
    "TOKENIZERS_",
    "TORCH",
    "PYTORCH_",
    "OMP_",
    "MKL_",
    "OPENBLAS_",
    "NCCL_",
    "ACCELERATE_",
    "XDG_",
    "LLAMA_",
)


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The subset of `environ` a child may see: no EASYTUNE_* settings (secret key, admin
    password, database URL), no cloud or proxy credentials."""
    return {
        name: value
        for name, value in environ.items()
        if name in PASSED or name.startswith(PASSED_PREFIXES)
    }
