"""Chat templates and tokenization: ChatML fallback, end-of-turn token, assistant-only labels."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from easytune.training.data.types import Example, Message

IGNORE_INDEX = -100
IM_START, IM_END = "<|im_start|>", "<|im_end|>"
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# Stand-ins for message text when locating each turn in the rendered template (see _layout).
_MARK = "\u2983ET{}\u2984"
_MARK_RE = re.compile("\u2983ET(\\d+)\u2984")
_PROBE = "EASYTUNE_PROBE_REPLY"
# Document separators of pre-training corpora, by tokenizer family (GPT-2/Qwen/SmolLM,
# Llama 3, Llama 2/Mistral, Gemma, DeepSeek); chat models' eos often ends a turn instead.
END_OF_TEXT_NAMES = (
    "<|endoftext|>",
    "<|end_of_text|>",
    "</s>",
    "<eos>",
    "<\uff5cend\u2581of\u2581sentence\uff5c>",
)

# tokenizer -> (chat template it was computed for, end-of-turn token)
_EOT_CACHE: weakref.WeakKeyDictionary[Any, tuple[str, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TokenizedExample:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX where no loss is taken; HF models shift them internally
    truncated: bool = False
    replay: bool = False  # a replayed base-model answer (retention), not the user's data

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def num_labelled(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE_INDEX)

    def cut(self, max_length: int) -> TokenizedExample:
        """This example cut at ``max_length`` tokens (``truncated`` says whether it was)."""
        if len(self.input_ids) <= max_length:
            return self
        return TokenizedExample(
            self.input_ids[:max_length], self.labels[:max_length], True, self.replay
        )

    def replay_mask(self) -> list[int]:
        """1 on the labelled tokens of a replayed answer (where the KL anchor applies), else 0."""
        flag = int(self.replay)
        return [flag * int(label != IGNORE_INDEX) for label in self.labels]


def ensure_chat_template(tokenizer: Any) -> str:
    """Give ``tokenizer`` ChatML (eos = <|im_end|>) if it has no template; return the end-of-turn.

    When ChatML tokens are added, resize the model's embeddings to ``len(tokenizer)``.
    """
    if not getattr(tokenizer, "chat_template", None):
        vocab = tokenizer.get_vocab()
        missing = [t for t in (IM_START, IM_END) if t not in vocab]
        if missing:
            tokenizer.add_special_tokens(
                {"extra_special_tokens": missing}, replace_extra_special_tokens=False
            )
        tokenizer.chat_template = CHATML_TEMPLATE
        tokenizer.eos_token = IM_END
    return end_of_turn_token(tokenizer)


def end_of_turn_token(tokenizer: Any) -> str:
    """The token the chat template puts after an assistant reply (else the eos token)."""
    template = getattr(tokenizer, "chat_template", None)
    if not template:
        raise ValueError(
            "the tokenizer has no chat template; call ensure_chat_template(tokenizer) first"
        )
    cached = _EOT_CACHE.get(tokenizer)
    if cached and cached[0] == template:
        return cached[1]
    token = _probe_end_of_turn(tokenizer)
    _EOT_CACHE[tokenizer] = (template, token)
    return token


def _probe_end_of_turn(tokenizer: Any) -> str:
    turns = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": _PROBE}]
    rendered = tokenizer.apply_chat_template(turns, tokenize=False)
    tail = rendered.split(_PROBE, 1)[-1]
    special = set(tokenizer.all_special_ids)
    special |= {i for i, t in tokenizer.added_tokens_decoder.items() if t.special}
    for token_id in tokenizer(tail, add_special_tokens=False).input_ids:
        if token_id in special:
            return str(tokenizer.convert_ids_to_tokens(token_id))
    if tokenizer.eos_token:
        return str(tokenizer.eos_token)
    raise ValueError(
        "the chat template ends assistant turns with no special token and the "
        "tokenizer has no eos token; set tokenizer.eos_token"
    )


def tokenize_example(
    ex: Example, tokenizer: Any, max_length: int, assistant_only_loss: bool = True
) -> TokenizedExample:
    """Token ids and labels for one example, cut at ``max_length``.

    Chat: rendered with the chat template; with ``assistant_only_loss`` only assistant replies
    and their end-of-turn token are labelled. Text: every token is labelled, end-of-text
    appended (see end_of_text_id).
    """
    if ex.messages is not None and ex.uses_tools:
        ids, labels = _tokenize_tool_chat(ex, tokenizer, assistant_only_loss)
    elif ex.messages is not None:
        ids, labels = _tokenize_chat(ex.messages, tokenizer, assistant_only_loss)
    else:
        ids = _tokenize_text(ex.text or "", tokenizer)
        labels = list(ids)
    return TokenizedExample(ids, labels).cut(max_length)


def _tokenize_text(text: str, tokenizer: Any) -> list[int]:
    ids: list[int] = tokenizer(text, add_special_tokens=False).input_ids
    # End each document so the model learns where documents stop (and blocks keep them apart).
    return [*ids, end_of_text_id(tokenizer)]


def end_of_text_id(tokenizer: Any) -> int:
    """The token between documents of a corpus: the tokenizer's own end-of-text, else eos."""
    vocab = tokenizer.get_vocab()
    for name in END_OF_TEXT_NAMES:
        if name in vocab:
            return int(vocab[name])
    if tokenizer.eos_token_id is None:
        raise ValueError(
            "the tokenizer has no end-of-text or eos token to separate documents; set "
            "tokenizer.eos_token"
        )
    return int(tokenizer.eos_token_id)


def _tokenize_chat(
    messages: tuple[Message, ...], tokenizer: Any, assistant_only: bool
) -> tuple[list[int], list[int]]:
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(
            "assistant-only labels need a fast (Rust) tokenizer; load it with "
            "AutoTokenizer.from_pretrained(..., use_fast=True)"
        )
    eot = end_of_turn_token(tokenizer)
    if not assistant_only:
        text = tokenizer.apply_chat_template(_dicts(messages), tokenize=False)
        ids: list[int] = tokenizer(text, add_special_tokens=False).input_ids
        return ids, list(ids)
    text, spans = _layout(messages, tokenizer, eot)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc.input_ids)
    return ids, _mask_outside(ids, enc.offset_mapping, spans)


def _tokenize_tool_chat(
    ex: Example, tokenizer: Any, assistant_only: bool
) -> tuple[list[int], list[int]]:
    """Through the template's own tool rendering when it has one, else the tagged fallback."""
    from easytune.training.data import tooltemplate as tt
    from easytune.training.data.toolcalls import openai_message

    assert ex.messages is not None
    if not tt.supports_tools(tokenizer):
        return _tokenize_chat(
            tt.as_plain_messages(ex.messages, ex.tools), tokenizer, assistant_only
        )
    dicts = [openai_message(m) for m in ex.messages]
    text, spans = tt.assistant_spans(
        dicts, tokenizer, tt.tools_list(ex), end_of_turn_token(tokenizer)
    )
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc.input_ids)
    return ids, _mask_outside(ids, enc.offset_mapping, spans) if assistant_only else list(ids)


def _mask_outside(
    ids: list[int], offsets: list[tuple[int, int]], spans: list[tuple[int, int]]
) -> list[int]:
    labels = [IGNORE_INDEX] * len(ids)
    for i, (start, end) in enumerate(offsets):
        if any(start < span_end and end > span_start for span_start, span_end in spans):
            labels[i] = ids[i]
    return labels


def _layout(
    messages: tuple[Message, ...], tokenizer: Any, eot: str
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans of each assistant reply + end-of-turn.

    The template is rendered once with real text and once with markers in place of each
    message; putting the text back into the marked render must give the real one, which
    proves where every reply sits (searching for the text could match a role header).
    """
    real = tokenizer.apply_chat_template(_dicts(messages), tokenize=False)
    marked = tokenizer.apply_chat_template(
        [{"role": m.role, "content": _MARK.format(i)} for i, m in enumerate(messages)],
        tokenize=False,
    )
    for strip in (False, True):  # some templates trim message text
        plain, text, spans = _fill(marked, messages, strip, eot)
        if plain == real:
            return text, spans
    raise ValueError(
        "the chat template rewrites message text, so assistant replies cannot be "
        "located; train with assistant_only_loss=False or use another template"
    )


def _dicts(messages: tuple[Message, ...]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


def _fill(
    marked: str, messages: tuple[Message, ...], strip: bool, eot: str
) -> tuple[str, str, list[tuple[int, int]]]:
    """Put the text back: (as the template renders it, with end-of-turn ensured, reply spans)."""
    plain: list[str] = []
    final: list[str] = []
    spans: list[tuple[int, int]] = []
    pos, reply_start = 0, -1
    for k, piece in enumerate(_MARK_RE.split(marked)):
        if k % 2 == 1:  # a marker: the message's text goes here
            message = messages[int(piece)]
            piece = message.content.strip() if strip else message.content
            reply_start = pos if message.role == "assistant" else -1
            plain.append(piece)
        else:
            plain.append(piece)
            if reply_start >= 0:
                piece, end = _close_reply(piece, eot, pos)
                spans.append((reply_start, end))
                reply_start = -1
        final.append(piece)
        pos += len(piece)
    return "".join(plain), "".join(final), spans


def _close_reply(after: str, eot: str, pos: int) -> tuple[str, int]:
    """The text after a reply, and where the reply's labelled span ends (after end-of-turn)."""
    gap = len(after) - len(after.lstrip())
    if after[gap:].startswith(eot):
        return after, pos + gap + len(eot)
    # The template does not end replies with a token: add one so the model learns to stop.
    return eot + after, pos + len(eot)
