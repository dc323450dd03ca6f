"""The `preference` intent ("prefer answers like these"): the method, its beta, and how pairs
change the plan (no packing, gentler rate, fewer passes, two sequences per pair)."""

from __future__ import annotations

from easytune.training.spec import DEFAULT_BETA, DEFAULT_GAMMA, PAIR_METHODS

from . import error_messages as em
from . import reasons as rs
from .draft import Context, Draft
from .errors import PlanError

PREFERENCE_KINDS = frozenset({"preference", "kto"})
PREFERENCE_LR_FACTOR = 0.1  # LoRA DPO trains at about a tenth of the SFT rate
PREFERENCE_MAX_EPOCHS = 2.0  # more passes over the same pairs over-optimise the margin
REFERENCE_PASS = 1 / 3  # DPO/KTO: one no-grad forward of the base per step (a third)


def is_preference(ctx: Context) -> bool:
    return ctx.rule.level == "preference"


def choose_method(d: Draft, ctx: Context) -> None:
    """train.method: sft for L1-L3; dpo (pairs) or kto (labelled answers) for `preference`."""
    kind = ctx.dataset.kind
    if not is_preference(ctx):
        _refuse_pinned_method(d)
        d.choose("train.method", "sft", rs.METHOD_SFT(level=ctx.rule.level))
        _warn_unused_kind(d, kind)
        d.choose("preference.beta", None, rs.BETA_UNUSED())
        d.choose("preference.gamma", DEFAULT_GAMMA, rs.GAMMA_UNUSED())
        return
    default = "kto" if kind == "kto" else "dpo"
    method = d.choose("train.method", default, rs.METHOD_WHY[default]())
    if kind == "kto" and method in PAIR_METHODS:
        raise PlanError(em.KTO_PAIRS(method=method), param="overrides.train.method")
    if method == "sft":
        raise PlanError(em.SFT_PREFERENCE(), param="overrides.train.method")
    d.choose("preference.beta", DEFAULT_BETA[str(method)], rs.BETA_WHY[str(method)]())
    gamma_why = rs.GAMMA_SIMPO() if method == "simpo" else rs.GAMMA_UNUSED()
    d.choose("preference.gamma", DEFAULT_GAMMA, gamma_why)


def _refuse_pinned_method(d: Draft) -> None:
    method = d.overrides.get("train.method", "sft")
    if method != "sft":
        raise PlanError(em.PINNED_METHOD(method=method), param="overrides.train.method")


def _warn_unused_kind(d: Draft, kind: str) -> None:
    if kind == "preference":
        d.warnings.append(rs.WARN_PAIRS_AS_CHAT())
    elif kind == "kto":
        d.warnings.append(rs.WARN_LABELS_AS_CHAT())


def check_dataset(level: str, kind: str) -> None:
    """The preference intent needs pairs or labelled answers."""
    if level == "preference" and kind not in PREFERENCE_KINDS:
        raise PlanError(em.NOT_PREFERENCE(kind=kind), param="intent.level")


def rows_per_item(d: Draft) -> int:
    """Sequences per training item: a pair is two (chosen and rejected), an answer one."""
    return 2 if d.values.get("train.method") in PAIR_METHODS else 1


def reference_factor(d: Draft) -> float:
    """DPO and KTO add a forward pass of the base (adapter disabled) per step."""
    return 1 + REFERENCE_PASS if d.values.get("train.method") in ("dpo", "kto") else 1.0
