"""Continued pre-training on a text corpus: documents joined, then cut into full blocks.

Every document is tokenised without special tokens and followed by the tokenizer's end-of-text
token; the stream is cut into blocks of ``block_length`` tokens, so every token is trained and
none is truncated (only the last block may be shorter). Blocks are what the loop batches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from easytune.training.data.template import TokenizedExample, end_of_text_id
from easytune.training.data.types import Example


def document_ids(texts: Sequence[str], tokenizer: Any) -> list[list[int]]:
    """Each document's token ids followed by end-of-text (one batched tokenizer call)."""
    if not texts:
        return []
    eot = end_of_text_id(tokenizer)
    encoded = tokenizer(list(texts), add_special_tokens=False).input_ids
    return [[*ids, eot] for ids in encoded]


def corpus_blocks(
    examples: Sequence[Example], tokenizer: Any, block_length: int
) -> list[TokenizedExample]:
    """The documents of ``examples`` as one stream cut into ``block_length``-token blocks."""
    if block_length < 2:
        raise ValueError(f"block_length must be at least 2, got {block_length}")
    stream = [t for ids in document_ids([ex.text or "" for ex in examples], tokenizer) for t in ids]
    return [
        TokenizedExample(stream[i : i + block_length], stream[i : i + block_length])
        for i in range(0, len(stream), block_length)
    ]


def block_count(total_tokens: int, block_length: int) -> int:
    """How many blocks a corpus of ``total_tokens`` (separators included) makes."""
    return math.ceil(total_tokens / block_length) if total_tokens else 0


def is_corpus(examples: Sequence[Example]) -> bool:
    """Plain-text documents (trained as a corpus) rather than chats."""
    return bool(examples) and not examples[0].is_chat
