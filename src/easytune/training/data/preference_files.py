"""Preference and KTO files read as Examples, so stats, previews and plans treat them like chats.

A pair becomes the prompt turns with the chosen answer as the last assistant turn, the rejected
answer beside it (`Example.rejected`); a KTO record keeps its chat and its `label`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from easytune.training.data.formats import RecordContext, json_type
from easytune.training.data.kinds import kto_label
from easytune.training.data.types import Example

KTO_FIELDS = frozenset({"label", "kto_tag"})
PAIR_FIELDS = frozenset(
    {
        "conversations", "messages", "chosen", "rejected", "system", "input",
        "preferred_output", "non_preferred_output",
    }
)  # fmt: skip


class PairFormat:
    """The format handler of a preference file (its name is the prompt's chat format)."""

    summary = (
        "a prompt ('messages' or 'conversations') with a 'chosen' and a 'rejected' answer, "
        "or 'input', 'preferred_output' and 'non_preferred_output'"
    )
    signature = frozenset({"chosen", "rejected", "preferred_output", "non_preferred_output"})
    nested_fields = frozenset({"chosen", "rejected", "preferred_output", "non_preferred_output"})
    fields = PAIR_FIELDS

    def __init__(self, first: Any) -> None:
        from easytune.training.preference.pairs import pair_format

        self.name = pair_format(first)

    def parse(self, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
        from easytune.training.preference.pairs import pair_example

        return pair_example(record, ctx)


def labelled(example: Example, record: Mapping[str, Any], ctx: RecordContext) -> Example | None:
    """A chat of a KTO file with its label; its last turn must be the labelled answer."""
    value = record.get("label", record.get("kto_tag"))
    if not isinstance(value, bool):
        why = "each record of a KTO file says whether its answer is good (true) or bad (false)"
        ctx.error("label", f"'label' must be true or false, got {json_type(value)}; {why}")
        return None
    if not example.messages or example.messages[-1].role != "assistant":
        ctx.error("messages", "the last turn must be the assistant answer the label judges")
        return None
    return dataclasses.replace(example, label=kto_label(record))
