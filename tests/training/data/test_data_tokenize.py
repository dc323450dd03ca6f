"""Chat templates, end-of-turn, assistant-only labels and truncation."""
# mypy: disable-error-code="union-attr"
# `Example.messages` is Optional (None for text records); these tests load chat records.

from __future__ import annotations

import pytest

from easytune.testing.tiny import build_tokenizer
from easytune.training.data import (
    IGNORE_INDEX,
    Example,
    Message,
    end_of_turn_token,
    ensure_chat_template,
    tokenize_example,
)

CHAT = Example(
    1,
    messages=(
        Message("system", "Answer briefly."),
        Message("user", "What is the capital of France?"),
        Message("assistant", "Paris is the capital of France."),
        Message("user", "assistant"),  # a user turn equal to a role name
        Message("assistant", "a"),  # a reply that also occurs inside the role header
    ),
)
REPLIES = ["Paris is the capital of France.", "a"]


def labelled_runs(tokenizer, tokenized) -> list[str]:
    """Decode each contiguous run of labelled tokens."""
    runs: list[list[int]] = []
    previous = IGNORE_INDEX
    for label in tokenized.labels:
        if label != IGNORE_INDEX:
            if previous == IGNORE_INDEX:
                runs.append([])
            runs[-1].append(label)
        previous = label
    return [tokenizer.decode(run) for run in runs]


def test_assistant_only_labels_are_the_replies_and_their_end_of_turn(tiny_tokenizer):
    tokenized = tokenize_example(CHAT, tiny_tokenizer, max_length=512)
    assert labelled_runs(tiny_tokenizer, tokenized) == [f"{r}<|im_end|>" for r in REPLIES]
    rendered = tiny_tokenizer.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in CHAT.messages], tokenize=False
    )
    assert tiny_tokenizer.decode(tokenized.input_ids) == rendered
    assert not tokenized.truncated and tokenized.num_labelled < len(tokenized)


def test_loss_on_every_token_when_asked(tiny_tokenizer):
    tokenized = tokenize_example(CHAT, tiny_tokenizer, 512, assistant_only_loss=False)
    assert tokenized.labels == tokenized.input_ids


def test_text_examples_label_every_token_and_end_with_end_of_text(tiny_tokenizer):
    tokenized = tokenize_example(Example(1, text="The quick brown fox."), tiny_tokenizer, 512)
    assert tokenized.labels == tokenized.input_ids
    # The document separator of a corpus, not the chat template's end of turn.
    assert tiny_tokenizer.decode(tokenized.input_ids) == "The quick brown fox.<|endoftext|>"


def test_truncation_cuts_at_max_length_and_says_so(tiny_tokenizer):
    full = tokenize_example(CHAT, tiny_tokenizer, 10_000)
    cut = tokenize_example(CHAT, tiny_tokenizer, 20)
    assert cut.truncated and len(cut) == 20
    assert cut.input_ids == full.input_ids[:20] and cut.labels == full.labels[:20]
    assert not tokenize_example(CHAT, tiny_tokenizer, len(full)).truncated


def test_tokenizer_without_template_gets_chatml_and_its_eos(word_tokenizer):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.WordLevel({"<unk>": 0, "</s>": 1, "hi": 2, "yo": 3}, unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="<unk>", eos_token="</s>")
    assert tok.chat_template is None and len(tok) == 4

    assert ensure_chat_template(tok) == "<|im_end|>"
    assert tok.eos_token == "<|im_end|>" and len(tok) == 6
    assert {"<|im_start|>", "<|im_end|>"} <= set(tok.all_special_tokens)
    rendered = tok.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert rendered == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    ex = Example(1, (Message("user", "hi"), Message("assistant", "yo")))
    labels = [t for t in tokenize_example(ex, tok, 64).labels if t != IGNORE_INDEX]
    assert tok.convert_ids_to_tokens(labels) == ["yo", "<|im_end|>"]
    assert ensure_chat_template(tok) == "<|im_end|>" and len(tok) == 6  # idempotent


def test_existing_template_is_kept_and_its_end_of_turn_found():
    tok = build_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": ["<|eot|>"]})
    tok.chat_template = (
        "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + "
        "m['content'] + '<|eot|>' }}{% endfor %}"
    )
    template = tok.chat_template
    assert ensure_chat_template(tok) == "<|eot|>"
    assert tok.chat_template == template and tok.eos_token == "<|im_end|>"
    ex = Example(1, (Message("user", "hi"), Message("assistant", "Paris")))
    assert labelled_runs(tok, tokenize_example(ex, tok, 64)) == ["Paris<|eot|>"]


def test_template_without_end_of_turn_gets_eos_appended_to_replies():
    tok = build_tokenizer()
    tok.chat_template = (
        "{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\n' }}{% endfor %}"
    )
    assert end_of_turn_token(tok) == "<|im_end|>"  # falls back to eos
    tokenized = tokenize_example(CHAT, tok, 512)
    # Byte-level BPE merges the template's space into the reply's first token: labelled too.
    runs = [run.strip() for run in labelled_runs(tok, tokenized)]
    assert runs == [f"{r}<|im_end|>" for r in REPLIES]
    assert tok.decode(tokenized.input_ids).endswith("assistant: a<|im_end|>\n")


def test_trimming_template_is_located():
    tok = build_tokenizer()
    tok.chat_template = (
        "{% for m in messages %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] | trim + "
        "' [/INST]' }}{% else %}{{ ' ' + m['content'] | trim + ' <|im_end|>' }}{% endif %}"
        "{% endfor %}"
    )
    ex = Example(1, (Message("user", " hi "), Message("assistant", "  Paris is ")))
    tokenized = tokenize_example(ex, tok, 64)
    assert labelled_runs(tok, tokenized) == ["Paris is <|im_end|>"]


def test_template_that_rewrites_text_is_refused():
    tok = build_tokenizer()
    tok.chat_template = (
        "{% for m in messages %}{{ m['content'] | upper + '<|im_end|>' }}{% endfor %}"
    )
    ex = Example(1, (Message("user", "hi"), Message("assistant", "paris")))
    with pytest.raises(ValueError, match=r"rewrites message text.*assistant_only_loss=False"):
        tokenize_example(ex, tok, 64)
    assert tokenize_example(ex, tok, 64, assistant_only_loss=False).num_labelled > 0


def test_tokenizing_without_a_template_asks_for_ensure_chat_template():
    tok = build_tokenizer(chat_template=False)
    with pytest.raises(ValueError, match=r"call ensure_chat_template\(tokenizer\) first"):
        tokenize_example(CHAT, tok, 64)
