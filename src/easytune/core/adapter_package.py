"""What an adapter download holds: the PEFT folder with a real model card and a portable
adapter_config.json, plus the run's lineage files, under a safe ASCII name."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from easytune.core.base_reference import BaseReference, base_reference
from easytune.core.model_card import CardFacts, render_card
from easytune.db.models import ModelRecord
from easytune.db.repositories import datasets as dataset_repo
from easytune.db.repositories import models as repo

# Written by the engine next to the adapter folder (docs/engine.md); shipped when present.
LINEAGE_FILES = (
    "train_spec.json", "metrics.json", "cf_report.json", "data_report.json", "eval_report.json",
)  # fmt: skip
# Written fresh into the zip instead of the folder's own copies.
REPLACED = ("README.md", "adapter_config.json")

Entry = tuple[str, Path | bytes]


@dataclass(frozen=True)
class AdapterPackage:
    """The zip's file names (ASCII and the exact Unicode one) and its entries."""

    ascii_name: str
    unicode_name: str
    entries: list[Entry]


def ascii_slug(text: str) -> str:
    """Letters, digits, '.', '_' and '-' only; accents folded, every other run becomes '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._]+", "-", folded).strip("-._")


def package(session: Session, model: ModelRecord, folder: Path) -> AdapterPackage:
    """The download of adapter `model` whose files are in `folder`."""
    root = f"{ascii_slug(model.name) or model.id}-v{model.version}"
    base = _base_of(session, model)
    lineage = {name: _read(folder.parent / name) for name in LINEAGE_FILES}
    facts = _card_facts(session, model, root, base, lineage)
    entries: list[Entry] = [
        (f"{root}/{p.relative_to(folder).as_posix()}", p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in REPLACED
    ]
    entries.append((f"{root}/adapter_config.json", _portable_config(folder, base)))
    entries.append((f"{root}/README.md", render_card(facts).encode()))
    entries += [(f"{root}/{n}", folder.parent / n) for n, data in lineage.items() if data]
    unicode_name = re.sub(r'[\\/\x00-\x1f"]+', "_", f"{model.name}-v{model.version}.zip")
    return AdapterPackage(f"{root}.zip", unicode_name.strip(". ") or f"{root}.zip", entries)


def _base_of(session: Session, model: ModelRecord) -> BaseReference:
    base = repo.get(session, model.base_model_id) if model.base_model_id else None
    return base_reference(base) if base is not None else BaseReference(name="unknown")


def _card_facts(
    session: Session, model: ModelRecord, root: str, base: BaseReference, lineage: dict[str, Any]
) -> CardFacts:
    dataset = dataset_repo.get(session, model.dataset_id) if model.dataset_id else None
    spec = lineage.get("train_spec.json") or model.spec or {}
    return CardFacts(
        title=f"{model.name} v{model.version}", folder=root, base=base, spec=spec,
        dataset_name=dataset.name if dataset else None, dataset_sha256=model.dataset_sha256,
        job_id=model.job_id, lineage=lineage,
    )  # fmt: skip


def _portable_config(folder: Path, base: BaseReference) -> bytes:
    """adapter_config.json naming the base by its public name, not this server's path."""
    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base.name
    if base.revision:
        config["revision"] = base.revision
    return (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode()


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
