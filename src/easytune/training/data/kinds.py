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


def _pair_shape(sample: Sequence[Mapping[str, Any]]) -> str:
    first = next((r for r in sample if is_pair(r)), {})
    if _openai_pair(first):
        return "OpenAI preference fine-tuning JSONL: 'input', 'preferred_output', " + (
            "'non_preferred_output'"
        )
    if "conversations" in first:
        return "ShareGPT 'conversations' with a 'chosen' and a 'rejected' answer"
    if "messages" in first:
        return "OpenAI 'messages' with a 'chosen' and a 'rejected' answer"
    return "a prompt with a 'chosen' and a 'rejected' answer"


def _kto_shape(sample: Sequence[Mapping[str, Any]]) -> str:
    labels = Counter(kto_label(r) for r in sample if is_labelled(r))
    return f"answers labelled good or bad ({labels[True]} true, {labels[False]} false)"


@dataclass(frozen=True)
class FileKind:
    """A file kind recognised from its records' keys, trained by the `preference` intent."""

    name: str
    title: str
    matches: Callable[[Any], bool]
    describe: Callable[[Sequence[Mapping[str, Any]]], str]
    trains: str


FILE_KINDS: tuple[FileKind, ...] = (
    FileKind(
        "preference",
        "preference-pair (DPO/ORPO/SimPO)",
        is_pair,
        _pair_shape,
        "the `preference` intent trains DPO on it (ORPO and SimPO as plan options); "
        "the L1-L3 intents train the chosen answers only",
    ),
    FileKind(
        "kto",
        "KTO (labelled answers)",
        is_labelled,
        _kto_shape,
        "the `preference` intent trains KTO on it (answers labelled false are pushed "
        "down, never trained as targets); the L1-L3 intents train the true ones only",
    ),
)
KIND_TITLES = {kind.name: kind.title for kind in FILE_KINDS}


def detect_kind(records: Sequence[Any]) -> tuple[FileKind, str] | None:
    """The preference or KTO kind most records have, with the sentence naming the file."""
    sample = [r for r in records if isinstance(r, dict)]
    for kind in FILE_KINDS:
        hits = sum(1 for r in sample if kind.matches(r))
        if sample and hits / len(sample) >= KIND_SHARE:
            why = (
                f"this is a {kind.title} file ({kind.describe(sample)}; {hits} of "
                f"{len(sample)} records checked): {kind.trains}"
            )
            return kind, why
    return None


def ignored_field_warnings(records: Sequence[Any], known: frozenset[str]) -> list[str]:
    """One warning per group of fields training will ignore: media first, then unknown keys."""
    counts = Counter(k for r in records if isinstance(r, dict) for k in r if k not in known)
    media = {k: n for k, n in counts.items() if k in MEDIA_FIELDS}
    other = {k: n for k, n in counts.items() if k not in MEDIA_FIELDS}
    warnings = []
    if media:
        warnings.append(
            f"multimodal file: {_counted(media)}; EasyTune trains text only, so these are "
            "ignored and the model sees only the text (placeholders such as '<image>' stay in it)"
        )
    if other:
        warnings.append(
            f"ignored fields: {_counted(other)}; training reads only "
            f"{', '.join(repr(k) for k in sorted(known))}"
        )
    return warnings


def _counted(counts: Mapping[str, int]) -> str:
    return ", ".join(f"'{k}' in {n} record(s)" for k, n in sorted(counts.items()))


def media_part_warning(dropped: Mapping[str, int]) -> list[str]:
    """The warning for media content parts dropped from messages (text parts are kept)."""
    if not dropped:
        return []
    return [
        f"multimodal content parts dropped: {_counted(dropped).replace('record', 'turn')}; "
        "EasyTune trains text only, so only the 'text' parts of those turns are kept"
    ]


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
