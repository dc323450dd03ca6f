"""The data layer of the training engine: load, validate, tokenize, report, split, pack.

It imports nothing from api, core, db or jobs. The names below are the public API.
"""

from easytune.training.data.formats import FORMATS, FormatHandler
from easytune.training.data.loader import detect_format, load_dataset
from easytune.training.data.packing import (
    PackedSequence,
    PackingCollator,
    PaddingCollator,
    pack_examples,
    prepare_model_for_packing,
    supports_packing,
)
from easytune.training.data.report import DatasetReport, dataset_report, split_examples
from easytune.training.data.template import (
    IGNORE_INDEX,
    TokenizedExample,
    end_of_turn_token,
    ensure_chat_template,
    tokenize_example,
)
from easytune.training.data.types import (
    DataValidationError,
    Example,
    LineError,
    LoadedDataset,
    Message,
)

__all__ = [
    "FORMATS",
    "IGNORE_INDEX",
    "DataValidationError",
    "DatasetReport",
    "Example",
    "FormatHandler",
    "LineError",
    "LoadedDataset",
    "Message",
    "PackedSequence",
    "PackingCollator",
    "PaddingCollator",
    "TokenizedExample",
    "dataset_report",
    "detect_format",
    "end_of_turn_token",
    "ensure_chat_template",
    "load_dataset",
    "pack_examples",
    "prepare_model_for_packing",
    "split_examples",
    "supports_packing",
    "tokenize_example",
]
