"""Zip a folder as a stream of chunks: nothing is staged on disk or held whole in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

CHUNK_BYTES = 1 << 20


class _Sink:
    """A write-only, non-seekable file that hands out what was written since the last take."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def zip_folder(folder: Path, root_name: str) -> Iterator[bytes]:
    """The files under `folder`, zipped under `root_name/`, yielded chunk by chunk."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return zip_entries((f"{root_name}/{p.relative_to(folder).as_posix()}", p) for p in files)


def zip_entries(entries: Iterable[tuple[str, Path | bytes]]) -> Iterator[bytes]:
    """(name in the zip, a file or the bytes themselves), zipped and yielded chunk by chunk."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, source in entries:
            with archive.open(arcname, "w", force_zip64=True) as out:
                for chunk in _chunks(source):
                    out.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()


def _chunks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        yield source
        return
    with source.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk
