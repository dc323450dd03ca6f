"""The shipped probe sets of the before/after evaluation report, written for EasyTune.

Each line is {"id", "set", "lang", "kind", "prompt"} plus what the kind needs: `answers` (a
list of accepted answers) for `reference` and `number`, `check` (and an optional `arg`) for
`instruction`; `refusal` and `open` need nothing more. The sets are disjoint from the CF
reference set, which measures forgetting and must not be what the report checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PROBE_SET_VERSION = 1
DEFAULT_PROBES = "default"
# The files of the default probe set, in report order.
DEFAULT_FILES = (
    "general_en.jsonl",
    "general_zh.jsonl",
    "arithmetic.jsonl",
    "instruction.jsonl",
    "safety.jsonl",
    "open.jsonl",
)
SETS = ("general", "arithmetic", "instruction", "safety", "open")
KINDS = ("reference", "number", "instruction", "refusal", "open")


@dataclass(frozen=True)
class Probe:
    """One question of a probe set and what a correct answer looks like."""

    id: str
    set: str
    lang: str
    kind: str
    prompt: str
    answers: tuple[str, ...] = ()
    check: str | None = None
    arg: Any = None
    messages: tuple[dict[str, str], ...] = field(default=())

    def chat(self) -> list[dict[str, str]]:
        """The conversation to answer: the probe's own messages, else its prompt as one turn."""
        return list(self.messages) or [{"role": "user", "content": self.prompt}]


def probe_set_name() -> str:
    """The versioned name written into reports, e.g. `default-v1`."""
    return f"{DEFAULT_PROBES}-v{PROBE_SET_VERSION}"


def load_probes(name: str = DEFAULT_PROBES, max_per_set: int | None = None) -> list[Probe]:
    """The probes of a shipped set (only `default` today), at most `max_per_set` of each set."""
    if name != DEFAULT_PROBES:
        raise ValueError(f"unknown probe set {name!r}; the shipped set is {DEFAULT_PROBES!r}")
    probes = [probe for file in DEFAULT_FILES for probe in _read(_path(file))]
    return _cap(probes, max_per_set)


def _path(file: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(file)))


def _read(path: Path) -> list[Probe]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            out.append(_probe(json.loads(line), f"{path.name} line {number}"))
    return out


def _probe(record: dict[str, Any], where: str) -> Probe:
    if record.get("kind") not in KINDS or record.get("set") not in SETS:
        raise ValueError(f"{where}: kind must be one of {KINDS} and set one of {SETS}")
    if record["kind"] in ("reference", "number") and not record.get("answers"):
        raise ValueError(f"{where}: a {record['kind']} probe needs a non-empty 'answers' list")
    if record["kind"] == "instruction" and not record.get("check"):
        raise ValueError(f"{where}: an instruction probe needs a 'check' name")
    return Probe(
        id=record["id"], set=record["set"], lang=record["lang"], kind=record["kind"],
        prompt=record["prompt"], answers=tuple(record.get("answers", ())),
        check=record.get("check"), arg=record.get("arg"),
    )  # fmt: skip


def _cap(probes: list[Probe], max_per_set: int | None) -> list[Probe]:
    """At most `max_per_set` of each set, spread over the set (so both languages stay in)."""
    if max_per_set is None:
        return probes
    by_set: dict[str, list[Probe]] = {}
    for probe in probes:
        by_set.setdefault(probe.set, []).append(probe)
    kept: set[str] = set()
    for members in by_set.values():
        step = max(len(members) / max_per_set, 1.0)
        kept.update(members[int(i * step)].id for i in range(min(max_per_set, len(members))))
    return [probe for probe in probes if probe.id in kept]
