"""/v1/files: upload (purpose fine-tune), list, retrieve and delete training files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from easytune.api.deps import CurrentUser, SessionDep, SettingsDep, require
from easytune.api.routes.datasets import file_chunks
from easytune.core.permissions import Permission
from easytune.openai import files

router = APIRouter(prefix="/files", tags=["openai"])
READ = [require(Permission.DATASETS_READ)]
WRITE = [require(Permission.DATASETS_WRITE)]


@router.post("", dependencies=WRITE)
def upload_file(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="JSONL (chat messages), JSON, CSV, Parquet")],
    purpose: Annotated[str, Form(description='Only "fine-tune"')],
) -> dict[str, Any]:
    """Upload training data; validated like a dataset upload (400 naming every bad line)."""
    dataset = files.upload(
        session, settings, user, file_chunks(file.file), file.filename or "", purpose
    )
    return files.file_object(dataset)


@router.get("", dependencies=READ)
def list_files(
    session: SessionDep,
    user: CurrentUser,
    purpose: str | None = None,
    after: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 10000,
) -> dict[str, Any]:
    """Your files and shared ones, newest first."""
    rows, more = ([], False) if purpose not in (None, files.PURPOSE) else files.page(
        session, user, after, limit
    )  # fmt: skip
    return {"object": "list", "data": [files.file_object(d) for d in rows], "has_more": more}


@router.get("/{file_id}", dependencies=READ)
def get_file(file_id: str, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """One file."""
    return files.file_object(files.get(session, user, file_id))


@router.delete("/{file_id}", dependencies=WRITE)
def delete_file(file_id: str, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Delete a file you own; 409 while an unfinished job trains on it."""
    return files.delete(session, user, file_id)
