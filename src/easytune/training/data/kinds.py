"""Say what a file is before validating it line by line.

Some files are well-formed but of a kind plain chat training would misread: preference pairs
(DPO/ORPO/SimPO), KTO-labelled answers, multimodal chats. Each kind is recognised from the keys
of a sample of records and named in one note (never hundreds of unrelated per-line errors);
pairs and labelled answers are read as such, and fields training will ignore become warnings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from easytune.i18n import Msg, Template
from easytune.training.data import messages as msg
from easytune.training.data.types import Example

# A kind is named when at least this share of the checked records has its keys.
KIND_SHARE = 0.5
MEDIA_FIELDS = ("images", "image", "videos", "video", "audios", "audio")
MEDIA_PARTS = frozenset(
    {"image_url", "image", "input_image", "input_audio", "audio", "video", "video_url", "file"}
)


def _pair(record: Mapping[str, Any]) -> bool:
    return {"chosen", "rejected"} <= record.keys()


def _openai_pair(record: Mapping[str, Any]) -> bool:
    return {"preferred_output", "non_preferred_output"} <= record.keys()


def is_pair(record: Any) -> bool:
    """A preference record: chosen/rejected, or OpenAI's preferred/non-preferred outputs."""
    return isinstance(record, Mapping) and (_pair(record) or _openai_pair(record))


def is_labelled(record: Any) -> bool:
    """A KTO record: one answer with a true/false `label` (or LLaMA-Factory's `kto_tag`)."""
    return isinstance(record, Mapping) and (
        isinstance(record.get("label"), bool) or isinstance(record.get("kto_tag"), bool)
    )


def kto_label(record: Mapping[str, Any]) -> bool:
    return bool(record.get("label", record.get("kto_tag")))


def _pair_shape(sample: Sequence[Mapping[str, Any]]) -> Msg:
    first = next((r for r in sample if is_pair(r)), {})
    if _openai_pair(first):
        return msg.SHAPE_OPENAI_PAIR()
    if "conversations" in first:
        return msg.SHAPE_SHAREGPT_PAIR()
    if "messages" in first:
        return msg.SHAPE_MESSAGES_PAIR()
    return msg.SHAPE_PROMPT_PAIR()


def _kto_shape(sample: Sequence[Mapping[str, Any]]) -> Msg:
    labels = Counter(kto_label(r) for r in sample if is_labelled(r))
    return msg.SHAPE_KTO(good=labels[True], bad=labels[False])


@dataclass(frozen=True)
class FileKind:
    """A file kind recognised from its records' keys, trained by the `preference` intent."""

    name: str
    title: Template
    matches: Callable[[Any], bool]
    describe: Callable[[Sequence[Mapping[str, Any]]], Msg]
    trains: Template


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind(
        "preference",
        msg.KIND_TITLE["preference"],
        is_pair,
        _pair_shape,
        msg.KIND_TRAINS["preference"],
    ),
    FileKind("kto", msg.KIND_TITLE["kto"], is_labelled, _kto_shape, msg.KIND_TRAINS["kto"]),
)
KIND_TITLES = {kind.name: kind.title.english for kind in FILE_KINDS}


def detect_kind(records: Sequence[Any]) -> tuple[FileKind, Msg] | None:
    """The preference or KTO kind most records have, with the note naming the file."""
    sample = [r for r in records if isinstance(r, dict)]
    for kind in FILE_KINDS:
        hits = sum(1 for r in sample if kind.matches(r))
        if sample and hits / len(sample) >= KIND_SHARE:
            why = msg.KIND(
                title=kind.title(), shape=kind.describe(sample), hits=hits,
                checked=len(sample), trains=kind.trains(),
            )  # fmt: skip
            return kind, why
    return None


def ignored_field_warnings(records: Sequence[Any], known: frozenset[str]) -> list[Msg]:
    """One warning per group of fields training will ignore: media first, then unknown keys."""
    counts = Counter(k for r in records if isinstance(r, dict) for k in r if k not in known)
    media = {k: n for k, n in counts.items() if k in MEDIA_FIELDS}
    other = {k: n for k, n in counts.items() if k not in MEDIA_FIELDS}
    warnings = []
    if media:
        warnings.append(msg.MULTIMODAL(fields=_counted(media, msg.IN_RECORDS)))
    if other:
        known_keys = ", ".join(repr(k) for k in sorted(known))
        warnings.append(
            msg.IGNORED_FIELDS(fields=_counted(other, msg.IN_RECORDS), known=known_keys)
        )
    return warnings


def _counted(counts: Mapping[str, int], where: Template) -> list[Msg]:
    return [where(field=k, count=n) for k, n in sorted(counts.items())]


def media_part_warning(dropped: Mapping[str, int]) -> list[Msg]:
    """The warning for media content parts dropped from messages (text parts are kept)."""
    if not dropped:
        return []
    return [msg.MEDIA_PARTS(parts=_counted(dropped, msg.IN_TURNS))]


def kind_of(examples: Sequence[Example]) -> str:
    """What training does with the file: ``corpus`` (text blocks), ``preference`` (pairs),
    ``kto`` (labelled answers), ``tool_calling`` or ``chat``."""
    if examples and not examples[0].is_chat:
        return "corpus"
    if examples and examples[0].rejected is not None:
        return "preference"
    if examples and examples[0].label is not None:
        return "kto"
    return "tool_calling" if any(ex.uses_tools for ex in examples) else "chat"
