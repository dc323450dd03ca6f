"""The on-disk replay cache, shared by every job on the same base model.

A generated replay set is keyed by the base model's content (a hash of its weight files), the
prompt set and the generation settings. Hashing a multi-gigabyte model takes a while, so each
file's hash is itself remembered by path, size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.pt", "*.pth", "*.gguf", "config.json")
HASHES_FILE = "file_hashes.json"
CHUNK = 8 * 1024 * 1024


def default_cache_dir() -> Path:
    """Where replay sets live when neither the spec nor the platform names a folder."""
    return Path.home() / ".cache" / "easytune" / "replay"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None when it is missing or unreadable (a cache miss)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def weight_files(folder: Path, gguf_file: str | None) -> list[Path]:
    """The files whose bytes decide what the base model answers."""
    if gguf_file is not None:
        return [folder / gguf_file]
    found = {p for pattern in WEIGHT_PATTERNS for p in folder.glob(pattern) if p.is_file()}
    return sorted(found)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ContentHasher:
    """Hashes model files, remembering each file's hash by path + size + mtime in the cache."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / HASHES_FILE
        known = read_json(self.path)
        self.known: dict[str, str] = known if isinstance(known, dict) else {}
        self.hashed = 0  # files actually read in this process (the rest came from the cache)

    def file_hash(self, path: Path) -> str:
        stat = path.stat()
        key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        if key not in self.known:
            self.known[key] = _file_sha256(path)
            self.hashed += 1
            write_json_atomic(self.path, self.known)
        return self.known[key]

    def model_hash(self, files: list[Path]) -> str:
        """One hash over the files' names and contents."""
        digest = hashlib.sha256()
        for path in files:
            digest.update(f"{path.name}:{self.file_hash(path)}\n".encode())
        return digest.hexdigest()[:24]


def cache_key(parts: dict[str, Any]) -> str:
    """A short, stable key for a dict of settings."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]
