"""Classified export failures (same contract as the training engine's errors)."""

from __future__ import annotations

from easytune.training.errors import EngineError


class ExportSpecError(EngineError, ValueError):
    """The export request is not valid (unknown format, quantization not allowed, ...)."""

    code = "bad_export_spec"
    exit_code = 20


class ToolMissingError(EngineError):
    """llama.cpp's converter scripts or llama-cpp-python are not installed."""

    code = "export_tool_missing"
    exit_code = 21


class ConversionError(EngineError):
    """A converter or the quantiser failed, or the written file did not load in llama.cpp."""

    code = "export_failed"
    exit_code = 22
