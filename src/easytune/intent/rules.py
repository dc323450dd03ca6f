"""The planning rules as data: the level table and the look-up tables the choosers read.

Each table is a tuple of (threshold, value, why) rows read top to bottom: the first row whose
threshold is above the measured quantity wins. Changing a rule means editing a row, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from easytune.i18n import Msg
from easytune.training.retain.prompts import REPLAY_MAX_PASSES
from easytune.training.spec import Level

from . import reasons as r

__all__ = ["REPLAY_MAX_PASSES"]  # re-exported for the choosers

TargetGroup = Literal["attention_qkv", "attention_out", "mlp"]


@dataclass(frozen=True)
class LevelRule:
    """What one intent level adapts, how strongly, and how much forgetting it tolerates."""

    level: Level
    title: str
    rank_min: int
    rank_max: int
    targets: tuple[TargetGroup, ...]
    targets_why: Msg
    cf_warn_threshold: float
    cf_why: Msg


LEVELS: dict[Level, LevelRule] = {
    "L1": LevelRule(
        level="L1",
        title="style / format",
        rank_min=4,
        rank_max=8,
        targets=("attention_qkv",),
        targets_why=r.TARGETS_WHY["L1"](),
        cf_warn_threshold=0.10,
        cf_why=r.CF_WHY["L1"](),
    ),
    "L2": LevelRule(
        level="L2",
        title="domain knowledge",
        rank_min=8,
        rank_max=16,
        targets=("attention_qkv", "mlp"),
        targets_why=r.TARGETS_WHY["L2"](),
        cf_warn_threshold=0.15,
        cf_why=r.CF_WHY["L2"](),
    ),
    "L3": LevelRule(
        level="L3",
        title="instruction reshaping",
        rank_min=16,
        rank_max=32,
        targets=("attention_qkv", "attention_out", "mlp"),
        targets_why=r.TARGETS_WHY["L3"](),
        cf_warn_threshold=0.25,
        cf_why=r.CF_WHY["L3"](),
    ),
    "preference": LevelRule(
        level="preference",
        title="prefer answers like these",
        rank_min=8,
        rank_max=16,
        targets=("attention_qkv", "attention_out", "mlp"),
        targets_why=r.TARGETS_WHY["preference"](),
        cf_warn_threshold=0.2,
        cf_why=r.CF_WHY["preference"](),
    ),
}
SFT_LEVELS: tuple[Level, ...] = ("L1", "L2", "L3")  # what `auto` chooses from on chat data

# Where in a level's rank range a run sits: (log10 of training tokens) -> 0..1 position.
RANK_TOKENS_LOG10 = (5.0, 7.0)  # <=100k tokens: bottom of the range, >=10M: top
# Bigger models already have more capacity per rank: (log10 params) -> 0..1 pull downwards.
RANK_PARAMS_LOG10 = (9.0, 10.5)  # <=1B: no pull, >=30B: half the range down

LR_BASE = 2e-4  # the usual LoRA learning rate for a ~1-3B model at rank <= 16

# (params below, learning-rate factor, why)
LR_BY_MODEL_SIZE: tuple[tuple[float, float, Msg], ...] = (
    # Measured on the demo (SmolLM2-135M, 161 chats, L1 r=4, 52 steps): at 3e-4 the style
    # marker never appeared; at 1e-3 it opened 5 of 5 unseen answers.
    (1e9, 5.0, r.LR_SIZE[0]()),
    (4e9, 1.0, r.LR_SIZE[1]()),
    (15e9, 0.75, r.LR_SIZE[2]()),
    (40e9, 0.5, r.LR_SIZE[3]()),
    (float("inf"), 0.35, r.LR_SIZE[4]()),
)

# (training tokens below, dropout, why)
DROPOUT_BY_TOKENS: tuple[tuple[float, float, Msg], ...] = (
    (100_000, 0.1, r.DROPOUT_SMALL()),
    (10_000_000, 0.05, r.DROPOUT_MEDIUM()),
    (float("inf"), 0.0, r.DROPOUT_LARGE()),
)

# (training tokens below, epochs, why)
EPOCHS_BY_TOKENS: tuple[tuple[float, float, Msg], ...] = (
    (100_000, 5.0, r.EPOCHS_WHY[0]()),
    (1_000_000, 3.0, r.EPOCHS_WHY[1]()),
    (20_000_000, 2.0, r.EPOCHS_WHY[2]()),
    (float("inf"), 1.0, r.EPOCHS_WHY[3]()),
)
MIN_STEPS = 30  # fewer optimizer steps than this rarely moves an adapter
MAX_EPOCHS = 10.0

# (total steps below, warm-up ratio, why)
WARMUP_BY_STEPS: tuple[tuple[float, float, Msg], ...] = (
    (100, 0.1, r.WARMUP_WHY[0]()),
    (1000, 0.05, r.WARMUP_WHY[1]()),
    (float("inf"), 0.03, r.WARMUP_WHY[2]()),
)

EFFECTIVE_BATCH = 16  # sequences per optimizer step: stable gradients, enough steps
MIN_EFFECTIVE_BATCH = 4
STEPS_PER_EPOCH_FLOOR = 10  # shrink the effective batch so tiny data still gets steps
EVALS_PER_RUN = 5
SAVES_PER_RUN = 10
SAVE_EVERY_MINUTES = 15.0
PACKING_MIN_EXAMPLES = 100
PACKING_SHORT_FRACTION = 0.5  # pack when the median example fills under half of max_length
MIN_MAX_LENGTH = 64
LENGTH_MULTIPLE = 64
SHORTEST_FIT_LENGTH = 256  # the fitter never shortens max_length below this

CF_MAX_ITEMS = {"cpu": 32, "cuda": 64}
# The shipped reference set through a chat template (SmolLM2's, measured): about 61 scored
# tokens an item, 100 a row once a batch of 8 is padded.
REFERENCE_SCORED_PER_ITEM = 61
REFERENCE_PADDED_PER_ITEM = 100

# A text corpus (continued pre-training): documents joined and cut into full blocks.
CORPUS_BLOCK_LENGTH = 1024  # long enough for paragraph-level context, cheap enough on CPU
CORPUS_LR_FACTOR = 0.5  # every token carries loss: gentler steps keep general ability
CORPUS_MAX_EPOCHS = 3.0  # more passes memorise the text verbatim instead of its facts


def lookup(table: tuple[tuple[float, float, Msg], ...], value: float) -> tuple[float, Msg]:
    """The first row whose threshold lies above `value`: (setting, why)."""
    for threshold, setting, why in table:
        if value < threshold:
            return setting, why
    raise ValueError(f"table has no row above {value}")  # tables end with inf: unreachable


# ---------------------------------------------------------------- retention (retain.*)

REPLAY_PROMPT_SET = "v1"  # the shipped replay prompt set's version
REPLAY_PROMPTS = 77  # prompts in that set (tests check it against the shipped file)
REPLAY_PROMPT_TOKENS = 40  # chat-template overhead plus a short question
REPLAY_ANSWER_FILL = 0.75  # generated answers fill about this much of max_new_tokens

# (user training examples below, replayed answers per example, why)
REPLAY_BY_EXAMPLES: tuple[tuple[float, float, Msg], ...] = (
    (500, 1.0, r.REPLAY_BY_SIZE[0]()),
    (5000, 0.5, r.REPLAY_BY_SIZE[1]()),
    (float("inf"), 0.25, r.REPLAY_BY_SIZE[2]()),
)
# Per level: (factor on the replay ratio, base KL anchor weight, why)
RETAIN_BY_LEVEL: dict[Level, tuple[float, float, Msg]] = {
    "L1": (0.5, 0.0, r.RETAIN_LEVEL["L1"]()),
    "L2": (0.5, 0.2, r.RETAIN_LEVEL["L2"]()),
    "L3": (0.5, 0.0, r.RETAIN_LEVEL["L3"]()),
    "preference": (0.0, 0.0, r.RETAIN_LEVEL["preference"]()),
}
# (params below, factor on the KL anchor weight, why)
KL_BY_MODEL_SIZE: tuple[tuple[float, float, Msg], ...] = (
    (1e9, 2.0, r.KL_BY_SIZE[0]()),
    (float("inf"), 1.0, r.KL_BY_SIZE[1]()),
)
REPLAY_NEW_TOKENS = {"cpu": 96, "cuda": 256}
SCORE_EXAMPLES = {"cpu": 4, "cuda": 8}
