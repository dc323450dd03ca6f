"""Dataset statistics on hand-countable data, and the deterministic train/eval split."""

from __future__ import annotations

import json

import pytest

from easytune.training.data import Example, Message, dataset_report, split_examples
from easytune.training.data.report import count_leakage, language_mix, percentile
from easytune.training.facts import DatasetStats

# The word tokenizer gives one token per word, plus eos on text: lengths in the comments.
TEXTS = [
    "w0",  # 2
    "w0",  # 2 (duplicate)
    "w1 w2",  # 3
    "w1 w2 w3",  # 4
    "你好 世界 hello",  # 4, mostly Chinese
    "w1 w2 w3 w4 w5",  # 6
    "hello world w1 w2 w3 w4",  # 7
    " ".join(f"w{i}" for i in range(7)),  # 8
    " ".join(f"w{i}" for i in range(8)),  # 9
    " ".join(f"w{i}" for i in range(9)),  # 10
    " ".join(f"w{i}" for i in range(10)),  # 11
]


def text_examples() -> list[Example]:
    return [Example(i, text=t) for i, t in enumerate(TEXTS, 1)]


def test_text_stats_on_a_known_dataset(word_tokenizer):
    report = dataset_report(text_examples(), word_tokenizer, max_length=8, format="text")
    assert report.stats == DatasetStats(
        format="text",
        examples=11,
        total_tokens=66,
        tokens_p50=6,
        tokens_p90=10,
        tokens_p95=11,
        tokens_p99=11,
        tokens_max=11,
        duplicates=1,
        is_chat=False,
        mean_assistant_tokens=0.0,
        languages={"zh": 0.0909, "en": 0.9091},
        kind="corpus",
    )
    # A corpus is cut into blocks, never truncated: 66 tokens make 9 blocks of at most 8.
    assert report.kind == "corpus" and report.blocks == 9
    assert report.truncated == 0 and report.duplicates == 1
    assert report.labelled_tokens == 66
    assert report.no_labels_after_truncation == 0 and report.leakage == 0
    assert report.notes[0] == (
        "a text corpus: 11 documents (66 tokens with an end-of-text after each) are joined and "
        "cut into 9 blocks of 8 tokens; every token is trained and none is truncated"
    )


CHATS = [
    # <|im_start|> user w1 w2 <|im_end|> <|im_start|> assistant w3 <|im_end|>: 9, 2 labelled
    Example(1, (Message("user", "w1 w2"), Message("assistant", "w3"))),
    # 4 + 5 + 4 + 4 = 17 tokens; labelled: b c <|im_end|> + world <|im_end|> = 5
    Example(
        2,
        (
            Message("user", "a"),
            Message("assistant", "b c"),
            Message("user", "hello"),
            Message("assistant", "world"),
        ),
    ),
]


def test_chat_stats_count_assistant_tokens_and_truncated_replies(word_tokenizer):
    eval_set = [CHATS[0], Example(3, (Message("user", "a"), Message("assistant", "b")))]
    report = dataset_report(CHATS, word_tokenizer, max_length=7, eval=eval_set)
    stats = report.stats
    assert (stats.format, stats.examples, stats.total_tokens) == ("openai", 2, 26)
    assert (stats.tokens_p50, stats.tokens_max, stats.is_chat) == (9, 17, True)
    assert stats.mean_assistant_tokens == 3.5
    # At 7 tokens the first reply is cut off entirely; one token of the second survives.
    assert report.truncated == 2 and report.no_labels_after_truncation == 1
    assert report.labelled_tokens == 1
    assert report.eval_examples == 2 and report.leakage == 1
    assert dataset_report(CHATS, word_tokenizer, 64, format="sharegpt").stats.format == "sharegpt"


def test_report_is_json_ready(word_tokenizer):
    data = dataset_report(CHATS, word_tokenizer, max_length=64).to_dict()
    assert json.loads(json.dumps(data))["stats"]["tokens_max"] == 17


def test_report_needs_examples(word_tokenizer):
    with pytest.raises(ValueError, match="at least one training example"):
        dataset_report([], word_tokenizer, 64)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (50, 90, 95, 99, 100)] == [50, 90, 95, 99, 100]
    assert percentile([7], 50) == 7


def test_language_mix_shares():
    texts = ["今天天气很好", "good day", "123"]
    examples = [Example(i, text=t) for i, t in enumerate(texts, 1)]
    assert language_mix(examples) == {"zh": 0.3333, "en": 0.3333, "other": 0.3333}


def many_examples() -> list[Example]:
    unique = [Example(i, text=f"doc {i}") for i in range(90)]
    twins = [Example(100 + i, text=f"twin {i % 5}") for i in range(10)]  # 5 pairs
    return unique + twins


def test_split_is_deterministic_disjoint_and_complete():
    examples = many_examples()
    train, held = split_examples(examples, eval_fraction=0.1, seed=7, max_eval=50)
    assert (train, held) == split_examples(examples, 0.1, seed=7, max_eval=50)
    assert held != split_examples(examples, 0.1, seed=8, max_eval=50)[1]
    assert 9 <= len(held) <= 10 and len(train) + len(held) == 100
    assert sorted(e.line for e in train + held) == sorted(e.line for e in examples)
    assert count_leakage(train, held) == 0  # twins always land on the same side
    assert [e.line for e in train] == sorted(e.line for e in train)  # original order kept


def test_split_limits():
    examples = many_examples()
    assert len(split_examples(examples, 0.5, seed=0, max_eval=3)[1]) == 3
    assert split_examples(examples, 0.0, seed=0, max_eval=10)[1] == []
    assert split_examples(examples[:1], 0.5, seed=0, max_eval=10) == (examples[:1], [])
    assert len(split_examples(examples[:3], 0.01, seed=0, max_eval=10)[1]) == 1
    with pytest.raises(ValueError, match=r"eval_fraction must be in \[0, 1\)"):
        split_examples(examples, 1.0, seed=0, max_eval=10)
