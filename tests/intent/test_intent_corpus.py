"""L2 plans for a text corpus: blocks instead of truncation, gentler rate, capped epochs."""

from __future__ import annotations

from intent_cases import HARDWARE, MODELS, plan_kwargs

from easytune.intent import IntentRequest, resolve_plan
from easytune.training.facts import DatasetStats

# 30 articles of about 7k tokens each, like a Wikipedia dump with one article per line.
WIKI = DatasetStats("text", 30, 207_000, 6_500, 11_000, 12_500, 14_000, 15_000, is_chat=False)
CHATS = DatasetStats("openai", 30, 207_000, 6_500, 11_000, 12_500, 14_000, 15_000)


def _plan(stats: DatasetStats, **extra: object):
    return resolve_plan(
        IntentRequest(level="L2"),
        stats,
        MODELS["llama-3.2-1b"],
        HARDWARE["a100-80g"],
        **plan_kwargs(**extra),
    )


def test_a_corpus_is_cut_into_blocks_and_nothing_is_truncated() -> None:
    plan = _plan(WIKI)
    assert plan.spec.data.max_length == 1024
    assert "about 203 blocks" in plan.reasons["data.max_length"]
    assert "nothing is truncated" in plan.reasons["data.max_length"]
    assert not any("truncated" in w for w in plan.warnings)
    assert plan.spec.data.assistant_only_loss is False


def test_a_corpus_trains_gentler_and_for_fewer_passes_than_chats() -> None:
    corpus, chats = _plan(WIKI), _plan(CHATS)
    assert corpus.spec.train.learning_rate < chats.spec.train.learning_rate
    assert "a text corpus trains every token" in corpus.reasons["train.learning_rate"]
    assert corpus.spec.train.epochs <= 3
    assert "forgetting is checked" in corpus.reasons["cf.warn_threshold"]
    # ~200 blocks make enough steps per epoch: the run is not stretched to 10 epochs.
    assert corpus.estimate.total_steps >= 30


def test_tiny_corpus_epochs_are_capped_with_a_reason() -> None:
    tiny = DatasetStats("text", 3, 3_000, 1_000, 1_000, 1_000, 1_000, 1_000, is_chat=False)
    plan = _plan(tiny)
    assert plan.spec.train.epochs == 3
    assert "at most 3 passes" in plan.reasons["train.epochs"]


def test_mixing_chats_into_a_corpus_is_a_plan_option() -> None:
    plan = _plan(WIKI, mix_path="/data/chats.jsonl")
    assert plan.spec.data.mix_path == "/data/chats.jsonl"
    assert "keep the chat format" in plan.reasons["data.mix_path"]
    assert _plan(WIKI).spec.data.mix_path is None
