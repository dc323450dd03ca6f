"""The whole scan of an uploaded adapter zip against its named base: unpack, config, tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easytune.core.imports.base_index import BaseUnsupported, index_base
from easytune.core.imports.config_check import LoraBounds, check_config
from easytune.core.imports.findings import Findings
from easytune.core.imports.tensor_check import check_tensors
from easytune.core.imports.unpack import CONFIG_FILE, WEIGHTS_FILE, ZipLimits, unpack


@dataclass(frozen=True)
class ScanLimits:
    """The zip limits and the LoRA bounds of one scan."""

    zip: ZipLimits = field(default_factory=ZipLimits)
    lora: LoraBounds = field(default_factory=LoraBounds)


def scan_adapter(
    archive: Path, folder: Path, base_path: str, base_gguf: str | None, limits: ScanLimits
) -> Findings:
    """Unpack `archive` into `folder` and check it; `passed` is False with every reason."""
    findings = Findings()
    unpack(archive, folder, limits.zip, findings)
    if not findings.passed:
        return findings
    try:
        base = index_base(base_path, base_gguf)
    except BaseUnsupported as exc:
        findings.add("base_unsupported", str(exc), "base_model_id")
        return findings
    lora = check_config(folder / CONFIG_FILE, base, limits.lora, findings)
    if lora is not None:
        check_tensors(folder / WEIGHTS_FILE, base, lora, limits.lora, findings)
        findings.facts.update(rank=lora.rank, scale=lora.scale, targets=sorted(lora.targets))
    return findings


def verdict(findings: Findings) -> dict[str, Any]:
    """The scan's verdict as stored with the model and in the audit trail."""
    return {"passed": findings.passed, "reasons": findings.to_list(), **findings.facts}
