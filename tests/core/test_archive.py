"""zip_folder streams a folder as a valid zip, byte-identical files, under one root name."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from easytune.core.archive import CHUNK_BYTES, zip_folder


def test_zip_folder_round_trips(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    files = {
        "adapter_config.json": b'{"r": 8}',
        "sub/weights.bin": os.urandom(CHUNK_BYTES * 2 + 17),  # spans several chunks
        "empty.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    chunks = list(zip_folder(tmp_path, "adapter-v1"))
    assert len(chunks) > 3  # streamed, not one blob
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        assert {n: archive.read(n) for n in archive.namelist()} == {
            f"adapter-v1/{name}": data for name, data in files.items()
        }
