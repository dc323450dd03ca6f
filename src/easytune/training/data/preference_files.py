"""Preference and KTO files read as Examples, so stats, previews and plans treat them like chats.

A pair becomes the prompt turns with the chosen answer as the last assistant turn, the rejected
answer beside it (`Example.rejected`); a KTO record keeps its chat and its `label`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from easytune.training.data import error_messages as em
from easytune.training.data import messages as msg
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

    summary = msg.PAIR_SUMMARY.english
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
        ctx.error("label", em.NOT_LABEL(type=json_type(value)), em.LABEL_SAYS())
        return None
    if not example.messages or example.messages[-1].role != "assistant":
        ctx.error("messages", em.LAST_NOT_ANSWER())
        return None
    return dataclasses.replace(example, label=kto_label(record))
