"""Preference tuning on LoRA adapters: pairs (DPO, ORPO, SimPO) and labelled answers (KTO).

The reference model of DPO and KTO is the same weights with the adapter disabled.
"""

from easytune.training.preference.dpo import PairCollator, dpo_loss, sequence_logps, tokenize_pair
from easytune.training.preference.losses import METHODS, PAIR_METHODS, PreferenceLoss
from easytune.training.preference.pairs import PreferencePair, load_pairs

__all__ = [
    "METHODS",
    "PAIR_METHODS",
    "PairCollator",
    "PreferenceLoss",
    "PreferencePair",
    "dpo_loss",
    "load_pairs",
    "sequence_logps",
    "tokenize_pair",
]
