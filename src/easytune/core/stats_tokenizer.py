"""The tokenizer that counts dataset tokens at upload (before any base model is chosen).

Choice, in order: EASYTUNE_STATS_TOKENIZER (a Hugging Face tokenizer folder); else the demo
model's tokenizer (SmolLM2, a realistic 49k BPE), converted from its GGUF once and kept under
DATA_DIR/cache/stats-tokenizer; else a byte-level fallback (one token per UTF-8 byte: an upper
bound, about 3-4x a real tokenizer's count on English), so statistics never block an upload.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from functools import cache
from pathlib import Path
from typing import Any

from easytune.settings import Settings

log = logging.getLogger("easytune.core.stats_tokenizer")
CACHE_DIR = Path("cache") / "stats-tokenizer"
BYTE_LEVEL = "byte-level"
_LOCK = threading.Lock()


def stats_tokenizer(settings: Settings) -> tuple[Any, str]:
    """(tokenizer, name) for dataset statistics; loaded once per process and source."""
    with _LOCK:
        if settings.stats_tokenizer:
            return _from_folder(settings.stats_tokenizer), settings.stats_tokenizer
        demo = _demo_tokenizer_folder(settings.data_dir)
        if demo is not None:
            return _from_folder(str(demo)), "SmolLM2-135M-Instruct"
        return byte_level_tokenizer(), BYTE_LEVEL


@cache
def _from_folder(folder: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


def _demo_tokenizer_folder(data_dir: Path) -> Path | None:
    from easytune.demo import DemoModelMissing, demo_model_path

    target = data_dir / CACHE_DIR
    if (target / "tokenizer_config.json").is_file():
        return target
    try:
        folder, gguf_file = demo_model_path()
    except DemoModelMissing:
        return None
    return _convert(folder, gguf_file, target)


def _convert(folder: Path, gguf_file: str, target: Path) -> Path | None:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    except (ImportError, OSError, ValueError) as exc:
        log.warning("demo tokenizer unreadable (%s); using byte-level counts", exc,
                    extra={"action": "stats_tokenizer_fallback"})  # fmt: skip
        return None
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer.save_pretrained(tmp)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


@cache
def byte_level_tokenizer() -> Any:
    """One token per UTF-8 byte, ChatML specials (eos <|im_end|>): no training, no download."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {char: index for index, char in enumerate(sorted(alphabet))}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    from easytune.training.data.template import CHATML_TEMPLATE

    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok,
        bos_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<pad>",
        unk_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast
