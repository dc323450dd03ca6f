"""Files under DATA_DIR: paths built from internal ids, staged under a temporary name and
renamed into place, removed again if the transaction that recorded them rolls back."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

CHUNK_BYTES = 1 << 20
_ON_ROLLBACK = "easytune_remove_on_rollback"


def new_id(prefix: str) -> str:
    """A random public id such as `ds_3f9c...` (not guessable, not a row count)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def area(data_dir: Path, name: str) -> Path:
    """DATA_DIR/<name>, created on first use."""
    folder = data_dir.resolve() / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def staging_dir(parent: Path, item_id: str) -> Path:
    """A fresh hidden folder next to where `item_id` will live."""
    folder = parent / f".tmp-{item_id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def private(folder: Path) -> None:
    """Owner-only permissions on a folder and the files in it (0700 / 0600)."""
    os.chmod(folder, 0o700)
    for path in folder.iterdir():
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


def publish(staged: Path, parent: Path, item_id: str) -> Path:
    """Rename a staged folder to its final name (atomic on one file system)."""
    target = parent / item_id
    os.replace(staged, target)
    return target


@dataclass(frozen=True)
class CopyResult:
    size: int
    sha256: str


class TooLarge(Exception):
    """The stream passed the byte limit."""


def copy_stream(chunks: Iterable[bytes], target: Path, limit: int) -> CopyResult:
    """Write chunks to `target`, hashing as they pass; TooLarge past `limit` bytes."""
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise TooLarge(size)
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return CopyResult(size, digest.hexdigest())


def remove_tree(path: Path) -> None:
    """Delete a folder and everything in it; a missing folder is fine."""
    shutil.rmtree(path, ignore_errors=True)


def remove_on_rollback(session: Session, path: Path) -> None:
    """Delete `path` if the session's transaction rolls back (its row never existed)."""
    if _ON_ROLLBACK not in session.info:
        session.info[_ON_ROLLBACK] = []
        event.listen(session, "after_rollback", _remove_pending)
        event.listen(session, "after_commit", _forget_pending)
    session.info[_ON_ROLLBACK].append(path)


def remove_after_commit(session: Session, path: Path) -> None:
    """Delete `path` once the row that pointed at it is gone for good."""
    event.listen(session, "after_commit", lambda _s: remove_tree(path), once=True)


def _remove_pending(session: Session) -> None:
    paths, session.info[_ON_ROLLBACK] = session.info[_ON_ROLLBACK], []
    for path in paths:
        remove_tree(path)


def _forget_pending(session: Session) -> None:
    session.info[_ON_ROLLBACK] = []
