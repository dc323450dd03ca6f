"""Preference tuning (DPO) on LoRA adapters: pairs, their tokenisation and the loss.

The engine pieces only: the recipe, the `preference` intent and the API do not launch it yet.
"""

from easytune.training.preference.dpo import PairCollator, dpo_loss, sequence_logps, tokenize_pair
from easytune.training.preference.pairs import PreferencePair, load_pairs

__all__ = [
    "PairCollator",
    "PreferencePair",
    "dpo_loss",
    "load_pairs",
    "sequence_logps",
    "tokenize_pair",
]
