"""Unpack an uploaded adapter zip, refusing anything a PEFT adapter folder would not hold.

Checked from the central directory before a byte is extracted: links, absolute and `..`
names, nested folders, the number of files, the declared unpacked total (zip bombs), and
weight files that are not safetensors (pickle runs code on load). Extraction then counts the
bytes it writes, so a header that lies about sizes cannot get past the limit either.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from easytune.core.imports.findings import Findings

WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
# Files a PEFT adapter folder (and EasyTune's own download of one) holds besides the weights.
TEXT_SUFFIXES = frozenset({".json", ".md", ".txt", ".jinja"})
TOKENIZER_SUFFIXES = frozenset({".model", ".tiktoken"})  # sentencepiece / tiktoken vocabularies
PICKLE_SUFFIXES = frozenset(
    {
        ".bin",
        ".pt",
        ".pth",
        ".pkl",
        ".pickle",
        ".ckpt",
        ".joblib",
        ".npy",
        ".npz",
        ".h5",
        ".msgpack",
        ".onnx",
        ".gguf",
        ".dill",
    }
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_PICKLE_MAGIC = re.compile(rb"^\x80[\x02-\x05]")
_ZIP_MAGIC = b"PK\x03\x04"  # torch.save's format: a zip holding a pickle


@dataclass(frozen=True)
class ZipLimits:
    """How many files and how many unpacked bytes an adapter zip may hold."""

    max_files: int = 32
    max_unpacked_bytes: int = 2 << 30


def unpack(archive: Path, target: Path, limits: ZipLimits, findings: Findings) -> None:
    """Unpack `archive` into `target` (flat), or add the reasons it was refused."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = _checked_members(zf, limits, findings)
            if findings.passed:
                _extract(zf, members, target, limits, findings)
    # Corrupt deflate data (zlib.error), encrypted entries (RuntimeError), bad headers.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
            zlib.error, RuntimeError, ValueError) as exc:  # fmt: skip
        findings.add(
            "not_a_zip",
            f"the file is not a readable zip ({exc}); upload the "
            "adapter folder zipped (adapter_config.json, adapter_model.safetensors)",
        )


def _checked_members(
    zf: zipfile.ZipFile, limits: ZipLimits, findings: Findings
) -> dict[str, zipfile.ZipInfo]:
    infos = [info for info in zf.infolist() if not info.is_dir()]
    for info in zf.infolist():
        _check_name(info, findings)
    if len(infos) > limits.max_files:
        findings.add(
            "too_many_files",
            f"the zip holds {len(infos)} files; an adapter has at "
            f"most {limits.max_files} (config, weights, tokenizer, card)",
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_unpacked_bytes:
        findings.add(
            "zip_bomb",
            f"the zip unpacks to {total} bytes, over the limit of "
            f"{limits.max_unpacked_bytes} (EASYTUNE_IMPORT_MAX_UNPACKED_BYTES)",
        )
    if not findings.passed:
        return {}
    members = _flatten(infos, findings)
    for name in members:
        _check_kind(name, findings)
    for required in (CONFIG_FILE, WEIGHTS_FILE):
        if required not in members:
            findings.add(
                "missing_file",
                f"the zip has no {required}; a PEFT LoRA adapter "
                "folder holds adapter_config.json and adapter_model.safetensors",
                required,
            )
    return members


def _check_name(info: zipfile.ZipInfo, findings: Findings) -> None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or _DRIVE.match(name):
        findings.add("absolute_path", "a zip entry has an absolute path", info.filename)
    if ".." in PurePosixPath(name).parts:
        findings.add("parent_path", "a zip entry climbs out of the folder with '..'", info.filename)
    if stat.S_ISLNK(info.external_attr >> 16):
        findings.add("link", "a zip entry is a symbolic link; links are refused", info.filename)
    if "\x00" in name:
        findings.add("bad_name", "a zip entry's name holds a NUL byte", info.filename)


def _flatten(infos: list[zipfile.ZipInfo], findings: Findings) -> dict[str, zipfile.ZipInfo]:
    """File name -> entry, with one shared top folder (as in a downloaded zip) removed."""
    parts = [PurePosixPath(info.filename.replace("\\", "/")).parts for info in infos]
    tops = {p[0] for p in parts if len(p) > 1}
    strip = 1 if len(tops) == 1 and all(len(p) > 1 for p in parts) else 0
    members: dict[str, zipfile.ZipInfo] = {}
    for info, path in zip(infos, parts, strict=True):
        inner = path[strip:]
        if len(inner) != 1:
            findings.add(
                "nested_file",
                "an adapter's files sit in one folder; nested "
                "folders (checkpoints, other models) are refused",
                info.filename,
            )
        elif inner[0] in members:
            findings.add("duplicate_file", "the zip holds this file twice", info.filename)
        else:
            members[inner[0]] = info
    return members


def _check_kind(name: str, findings: Findings) -> None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        findings.add(
            "pickle_file",
            f"{name} is a pickle-based or foreign weight file, which "
            "can run code when loaded; only adapter_model.safetensors is accepted",
            name,
        )
    elif suffix == ".safetensors" and name != WEIGHTS_FILE:
        findings.add(
            "unexpected_weights",
            f"{name}: the only weight file of an adapter is {WEIGHTS_FILE}",
            name,
        )
    elif suffix not in TEXT_SUFFIXES | TOKENIZER_SUFFIXES | {".safetensors"}:
        findings.add(
            "unexpected_file",
            f"{name} is not a file of a PEFT adapter folder "
            "(JSON, Markdown, text, tokenizer vocabularies, safetensors)",
            name,
        )


def _extract(
    zf: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    target: Path,
    limits: ZipLimits,
    findings: Findings,
) -> None:
    written = 0
    for name, info in members.items():
        with zf.open(info) as source, (target / name).open("wb") as out:
            head = source.read(8)
            if name != WEIGHTS_FILE and (_PICKLE_MAGIC.match(head) or head.startswith(_ZIP_MAGIC)):
                findings.add(
                    "pickle_file",
                    f"{name} holds a pickle or a torch.save archive "
                    "under another name; it is refused",
                    name,
                )
                return
            out.write(head)
            written += len(head)
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > limits.max_unpacked_bytes:
                    findings.add(
                        "zip_bomb",
                        "the zip unpacks past its declared sizes and the "
                        f"limit of {limits.max_unpacked_bytes} bytes",
                    )
                    return
                out.write(chunk)
    findings.facts["files"] = sorted(members)
