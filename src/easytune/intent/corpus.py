"""Mixing a second dataset into a plan: a few chats next to a text corpus."""

from __future__ import annotations

from easytune.training.spec import TrainSpec

from .draft import Draft
from .reasons import MIX, MIX_NONE


def mix_into(spec: TrainSpec, draft: Draft, mix_path: str | None) -> None:
    """Set `data.mix_path` on the spec and say why (it comes from the request, not a rule)."""
    if mix_path is None:
        draft.reasons["data.mix_path"] = MIX_NONE()
        return
    spec.data.mix_path = mix_path
    draft.reasons["data.mix_path"] = MIX()
