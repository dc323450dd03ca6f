"""Say what a file is before validating it line by line.

Some files are well-formed but of a kind the chat and text formats would misread: preference
pairs (DPO/ORPO), KTO-labelled answers, multimodal chats. Each kind is recognised from the keys
of a sample of records, so the user reads one sentence naming the file's kind instead of
hundreds of unrelated per-line errors; fields that training will ignore become warnings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from easytune.training.data.types import DataValidationError, Example, LineError

# A kind is named when at least this share of the checked records has its keys.
KIND_SHARE = 0.5
MEDIA_FIELDS = ("images", "image", "videos", "video", "audios", "audio")
MEDIA_PARTS = frozenset(
    {"image_url", "image", "input_image", "input_audio", "audio", "video", "video_url", "file"}
)


@dataclass(frozen=True)
class RefusedKind:
    """A file kind that the chat/text trainer cannot use: how to spot it and what to say."""

    name: str
    matches: Callable[[Mapping[str, Any]], bool]
    describe: Callable[[Sequence[Mapping[str, Any]]], str]
    advice: str


def _pair(record: Mapping[str, Any]) -> bool:
    return {"chosen", "rejected"} <= record.keys()


def _openai_pair(record: Mapping[str, Any]) -> bool:
    return {"preferred_output", "non_preferred_output"} <= record.keys()


def _labelled(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("label"), bool) or "kto_tag" in record


def _pair_shape(sample: Sequence[Mapping[str, Any]]) -> str:
    first = next((r for r in sample if _pair(r) or _openai_pair(r)), {})
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
    labels = Counter(r.get("label", r.get("kto_tag")) for r in sample if _labelled(r))
    return f"answers labelled good or bad ({labels[True]} true, {labels[False]} false)"


REFUSED_KINDS: tuple[RefusedKind, ...] = (
    RefusedKind(
        "preference",
        lambda r: _pair(r) or _openai_pair(r),
        _pair_shape,
        "preference training (DPO/ORPO) is not available yet; to fine-tune on the preferred "
        "answers alone, save each prompt with its preferred answer ('chosen' or "
        "'preferred_output') as the assistant turn, without the rejected one",
    ),
    RefusedKind(
        "kto",
        _labelled,
        _kto_shape,
        "training it as plain chat would teach the answers labelled false, and KTO training "
        "is not available yet; keep only the records labelled true (and drop 'label') to "
        "fine-tune on the good answers",
    ),
)
KIND_TITLES = {"preference": "preference-pair (DPO/ORPO)", "kto": "KTO (labelled answers)"}


def refuse_unsupported_kind(records: Sequence[Any]) -> None:
    """Raise one file-level error when most records are of a kind training cannot use."""
    sample = [r for r in records if isinstance(r, dict)]
    for kind in REFUSED_KINDS:
        hits = sum(1 for r in sample if kind.matches(r))
        if sample and hits / len(sample) >= KIND_SHARE:
            message = (
                f"this is a {KIND_TITLES[kind.name]} file ({kind.describe(sample)}; {hits} of "
                f"{len(sample)} records checked): {kind.advice}"
            )
            raise DataValidationError([LineError(0, kind.name, message)])


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
    """What training does with the file: ``corpus`` (text blocks), ``tool_calling`` or ``chat``."""
    if examples and not examples[0].is_chat:
        return "corpus"
    return "tool_calling" if any(ex.uses_tools for ex in examples) else "chat"
