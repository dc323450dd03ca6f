"""The data check's notes and warnings, as coded English templates.

Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

from easytune.i18n import template as t

CORPUS = t(
    "data.corpus",
    "a text corpus: {examples} documents ({tokens} tokens with an end-of-text after each) are "
    "joined and cut into {blocks} blocks of {length} tokens; every token is trained and none is "
    "truncated",
)
TOO_LONG = t(
    "data.too_long",
    "{over} of {n} examples are longer than max_length={length} and will be cut; raise "
    "max_length or shorten them",
)
DUPLICATES = t("data.duplicates", "{duplicates} duplicate examples; they weigh those examples more")
LEAKAGE = t(
    "data.leakage",
    "{leakage} eval examples also appear in train; eval loss will look better than it is",
)
LITTLE_DATA = t(
    "little_data",
    "only {examples} examples{answers}: too little to teach much. The plan makes up for it with "
    "a small batch and more epochs (up to 10, at least 30 steps), which can make the model "
    "repeat these examples word for word; {min} or more examples with full answers work better",
)
LITTLE_ANSWERS = t("little_data.answers", " with answers of about {tokens} tokens")
