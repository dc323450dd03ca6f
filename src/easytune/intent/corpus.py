"""Mixing a second dataset into a plan: a few chats next to a text corpus."""

from __future__ import annotations

from easytune.training.spec import TrainSpec

from .draft import Draft


def mix_into(spec: TrainSpec, draft: Draft, mix_path: str | None) -> None:
    """Set `data.mix_path` on the spec and say why (it comes from the request, not a rule)."""
    if mix_path is None:
        draft.reasons["data.mix_path"] = "no second dataset: only the chosen dataset is trained"
        return
    spec.data.mix_path = mix_path
    draft.reasons["data.mix_path"] = (
        "your second dataset is trained alongside (loss on its answers only): a few chats next "
        "to a text corpus keep the chat format while the corpus brings the knowledge; the step "
        "count above covers the main dataset"
    )
