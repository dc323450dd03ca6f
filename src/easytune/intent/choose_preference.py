"""The `preference` intent ("prefer answers like these"): the method, its beta, and how pairs
change the plan (no packing, gentler rate, fewer passes, two sequences per pair)."""

from __future__ import annotations

from easytune.training.spec import DEFAULT_BETA, DEFAULT_GAMMA, PAIR_METHODS

from .draft import Context, Draft
from .errors import PlanError

PREFERENCE_KINDS = frozenset({"preference", "kto"})
PREFERENCE_LR_FACTOR = 0.1  # LoRA DPO trains at about a tenth of the SFT rate
PREFERENCE_MAX_EPOCHS = 2.0  # more passes over the same pairs over-optimise the margin
REFERENCE_PASS = 1 / 3  # DPO/KTO: one no-grad forward of the base per step (a third)

METHOD_WHY = {
    "dpo": "DPO on the pairs: the adapter learns to rank each chosen answer above the rejected "
    "one relative to the base model (the same weights with the adapter disabled, no second copy)",
    "orpo": "ORPO: the chosen answers' loss plus an odds-ratio term against the rejected ones; "
    "no reference pass, so cheaper per step",
    "simpo": "SimPO: length-normalised answer log-probabilities with a target margin; no "
    "reference pass, so cheaper per step",
    "kto": "KTO on answers labelled true or false: good answers pushed above the base model, "
    "bad ones below it, never trained as targets",
}
BETA_WHY = {
    "dpo": "0.1, the usual DPO strength: lower lets the adapter move further from the base",
    "orpo": "0.1, ORPO's usual weight of the odds-ratio term against the chosen answers' loss",
    "simpo": "2.0, SimPO's usual reward scale",
    "kto": "0.1, the usual KTO strength: lower lets the adapter move further from the base",
}


def is_preference(ctx: Context) -> bool:
    return ctx.rule.level == "preference"


def choose_method(d: Draft, ctx: Context) -> None:
    """train.method: sft for L1-L3; dpo (pairs) or kto (labelled answers) for `preference`."""
    kind = ctx.dataset.kind
    if not is_preference(ctx):
        _refuse_pinned_method(d)
        d.choose("train.method", "sft", f"{ctx.rule.level}: next-token training on the answers")
        _warn_unused_kind(d, kind)
        d.choose("preference.beta", None, "unused: next-token training has no preference term")
        d.choose("preference.gamma", DEFAULT_GAMMA, "unused (SimPO only)")
        return
    default = "kto" if kind == "kto" else "dpo"
    method = d.choose("train.method", default, METHOD_WHY[default])
    if kind == "kto" and method in PAIR_METHODS:
        raise PlanError(
            f"train.method {method} needs preference pairs, but this dataset holds answers "
            "labelled true/false: use train.method=kto",
            param="overrides.train.method",
        )
    if method == "sft":
        raise PlanError(
            "train.method sft is the L1-L3 intents' method: choose one of them, or dpo, orpo, "
            "simpo or kto for the preference intent",
            param="overrides.train.method",
        )
    d.choose("preference.beta", DEFAULT_BETA[str(method)], BETA_WHY[str(method)])
    gamma_why = "SimPO's target margin" if method == "simpo" else "unused (SimPO only)"
    d.choose("preference.gamma", DEFAULT_GAMMA, gamma_why)


def _refuse_pinned_method(d: Draft) -> None:
    method = d.overrides.get("train.method", "sft")
    if method != "sft":
        raise PlanError(
            f"train.method {method} trains preference data: choose intent level 'preference' "
            "(with a dataset of pairs or labelled answers)",
            param="overrides.train.method",
        )


def _warn_unused_kind(d: Draft, kind: str) -> None:
    if kind == "preference":
        d.warnings.append(
            "this dataset holds preference pairs: L1-L3 train the chosen answers only; choose "
            "the preference intent to learn from the rejected answers too"
        )
    elif kind == "kto":
        d.warnings.append(
            "this dataset holds answers labelled true/false: L1-L3 train only the true ones; "
            "choose the preference intent (KTO) to push the false ones down as well"
        )


def check_dataset(level: str, kind: str) -> None:
    """The preference intent needs pairs or labelled answers."""
    if level == "preference" and kind not in PREFERENCE_KINDS:
        raise PlanError(
            f"the preference intent needs preference pairs ('chosen'/'rejected', or OpenAI's "
            f"'preferred_output'/'non_preferred_output') or answers labelled true/false; this "
            f"dataset is a {kind} dataset: choose L1, L2, L3 or auto",
            param="intent.level",
        )


def rows_per_item(d: Draft) -> int:
    """Sequences per training item: a pair is two (chosen and rejected), an answer one."""
    return 2 if d.values.get("train.method") in PAIR_METHODS else 1


def reference_factor(d: Draft) -> float:
    """DPO and KTO add a forward pass of the base (adapter disabled) per step."""
    return 1 + REFERENCE_PASS if d.values.get("train.method") in ("dpo", "kto") else 1.0
