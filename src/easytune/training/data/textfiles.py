"""Plain-text containers: .txt, Markdown and a .zip of them, read as documents of a corpus.

A .txt file is split one document per line when it has no blank lines (one article per line),
else at blank lines; a Markdown file is one document (its blank lines separate paragraphs).
A zip is checked before anything is extracted: no absolute or '..' paths, no links, no
encryption, at most MAX_ZIP_ENTRIES entries and MAX_ZIP_BYTES uncompressed, counted while
reading rather than trusted from the headers.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from easytune.i18n import Msg, Template
from easytune.training.data import error_messages as em
from easytune.training.data import messages as msg
from easytune.training.data.containers import ContainerResult, RawRecord, decode_utf8
from easytune.training.data.types import ErrorSink

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_BYTES = 512 << 20  # uncompressed, all entries together
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
_READ_CHUNK = 1 << 20


def split_documents(text: str) -> tuple[list[tuple[int, str]], Msg]:
    """(first line, document) pairs and the note saying how the text was split."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    filled = [n for n, line in enumerate(lines, 1) if line.strip()]
    if not filled:
        return [], msg.SPLIT_EMPTY()
    inner_blank = any(not lines[n - 1].strip() for n in range(filled[0], filled[-1] + 1))
    if not inner_blank:
        docs = [(n, lines[n - 1]) for n in filled]
        return docs, msg.SPLIT_LINES(documents=len(docs))
    docs = _blocks(lines)
    return docs, msg.SPLIT_BLANK(documents=len(docs))


def _blocks(lines: list[str]) -> list[tuple[int, str]]:
    docs: list[tuple[int, str]] = []
    block: list[str] = []
    start = 0
    for number, line in enumerate([*lines, ""], 1):
        if line.strip():
            start = start or number
            block.append(line)
        elif block:
            docs.append((start, "\n".join(block)))
            block, start = [], 0
    return docs


def _records(docs: list[tuple[int, str]], unit: str = "line") -> list[RawRecord]:
    return [RawRecord(line, unit, {"text": text}) for line, text in docs]


def read_txt(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    docs, how = split_documents(decode_utf8(raw, sink))
    return ContainerResult("txt", _records(docs), [how])


def read_markdown(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    text = decode_utf8(raw, sink)
    docs = [(1, text.strip())] if text.strip() else []
    return ContainerResult("md", _records(docs), [msg.MARKDOWN_ONE()])


def read_zip(raw: bytes, sink: ErrorSink, nested: frozenset[str]) -> ContainerResult:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        sink.add("record", 0, "", em.BAD_ZIP(error=str(exc)), em.ZIP_AGAIN())
        return ContainerResult("zip", [])
    with archive:
        entries = _safe_entries(archive, sink)
        return _read_entries(archive, entries, sink) if entries else ContainerResult("zip", [])


def _safe_entries(archive: zipfile.ZipFile, sink: ErrorSink) -> list[zipfile.ZipInfo]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_ZIP_ENTRIES:
        problem = em.ZIP_TOO_MANY(files=len(infos), limit=MAX_ZIP_ENTRIES)
        sink.add("record", 0, "", problem, em.JOIN_OR_SPLIT())
        return []
    for info in infos:
        unsafe = _entry_problem(info)
        if unsafe:
            sink.add("record", 0, "", unsafe(name=repr(info.filename)), em.RELATIVE_PATHS())
    return [] if sink.errors else infos


def _entry_problem(info: zipfile.ZipInfo) -> Template | None:
    name = info.filename.replace("\\", "/")
    checks: tuple[tuple[Callable[[], bool], Template], ...] = (
        (lambda: name.startswith("/") or (len(name) > 1 and name[1] == ":"), em.ZIP_ABSOLUTE),
        (lambda: ".." in PurePosixPath(name).parts, em.ZIP_CLIMBS),
        (lambda: stat.S_ISLNK(info.external_attr >> 16), em.ZIP_LINK),
        (lambda: bool(info.flag_bits & 0x1), em.ZIP_ENCRYPTED),
    )
    return next((problem for check, problem in checks if check()), None)


def _read_entries(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], sink: ErrorSink
) -> ContainerResult:
    records: list[RawRecord] = []
    skipped: list[str] = []
    budget = [MAX_ZIP_BYTES]
    for info in sorted(entries, key=lambda i: i.filename):
        if not info.filename.lower().endswith(TEXT_SUFFIXES):
            skipped.append(info.filename)
            continue
        text = _entry_text(archive, info, budget, sink)
        if text is None:
            if budget[0] < 0:
                break
            continue
        docs = _entry_documents(info.filename, text)
        records += _records([(len(records) + k, d) for k, (_, d) in enumerate(docs, 1)], "record")
    return _zip_result(records, entries, skipped)


def _entry_documents(name: str, text: str) -> list[tuple[int, str]]:
    if name.lower().endswith(".txt"):
        return split_documents(text)[0]
    return [(1, text.strip())] if text.strip() else []


def _entry_text(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], sink: ErrorSink
) -> str | None:
    chunks = []
    with archive.open(info) as stream:
        while chunk := stream.read(_READ_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                sink.add("record", 0, "", em.ZIP_TOO_BIG(limit=MAX_ZIP_BYTES), em.SPLIT_ZIP())
                return None
            chunks.append(chunk)
    try:
        return b"".join(chunks).removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        problem = em.ZIP_NOT_UTF8(name=repr(info.filename))
        sink.add("record", 0, "", problem, em.RESAVE_ENTRY())
        return None


def _zip_result(
    records: list[RawRecord], entries: list[zipfile.ZipInfo], skipped: list[str]
) -> ContainerResult:
    read = len(entries) - len(skipped)
    notes = [msg.ZIP_READ(files=read)]
    warnings = []
    if skipped:
        shown = ", ".join(repr(s) for s in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        warnings.append(msg.ZIP_SKIPPED(count=len(skipped), names=shown))
    return ContainerResult("zip", records, notes, warnings)


TEXT_READERS = {
    ".txt": read_txt,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".zip": read_zip,
}
