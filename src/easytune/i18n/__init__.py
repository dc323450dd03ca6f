"""Coded messages: a stable code and parameters, rendered in the reader's language.

English templates live next to the code that uses them (`template(code, english)`), so the
registry of codes is the set of templates defined at import time; Chinese templates live in
`zh.json`, keyed by code. A parameter may itself be a message (rendered in the same language)
or a list of messages and strings (joined the language's way). The web UI renders the same
catalogues (exported by `python -m easytune.i18n`).
"""

from __future__ import annotations

import functools
import importlib
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
LIST_SEPARATOR: dict[Language, str] = {"en": " and ", "zh": "、"}
# Separators a `Joined` parameter may name, per language (a plain list uses LIST_SEPARATOR).
SEPARATORS: dict[str, dict[Language, str]] = {
    "and": LIST_SEPARATOR,
    "comma": {"en": ", ", "zh": "、"},
    "semicolon": {"en": "; ", "zh": "；"},
}

ENGLISH: dict[str, str] = {}  # code -> English template, filled as modules define templates


@dataclass(frozen=True)
class Msg:
    """A message: a stable code and the parameters its templates read."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: Language = "en") -> str:
        return render(self.to_dict(), language)

    def __str__(self) -> str:
        return self.render("en")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready {code, params}, nested messages included."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}


@dataclass(frozen=True)
class Joined:
    """A list parameter joined with a named separator ("; " in English, "；" in Chinese)."""

    items: tuple[Any, ...]
    separator: str = "semicolon"

    def to_dict(self) -> dict[str, Any]:
        return {"join": self.separator, "items": [_plain(v) for v in self.items]}


def _plain(value: Any) -> Any:
    if isinstance(value, Msg | Joined):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def placeholders(text: str) -> set[str]:
    """The parameter names a template reads."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Template:
    """A registered English template; calling it makes a message with checked parameters."""

    code: str
    english: str

    def __call__(self, **params: Any) -> Msg:
        missing = placeholders(self.english) - set(params)
        if missing:
            raise KeyError(f"message {self.code} needs parameters {sorted(missing)}")
        return Msg(self.code, params)


def template(code: str, english: str) -> Template:
    """Register `code` with its English template; a code defined twice is refused."""
    if ENGLISH.get(code, english) != english:
        raise ValueError(f"message code {code!r} is defined twice with different text")
    ENGLISH[code] = english
    return Template(code, english)


@functools.cache
def chinese() -> dict[str, str]:
    """The Chinese templates shipped with the package, by code."""
    text = resources.files(__package__).joinpath("zh.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def catalogue(language: Language) -> dict[str, str]:
    return dict(ENGLISH) if language == "en" else chinese()


def render(message: Mapping[str, Any], language: Language = "en") -> str:
    """A {code, params} message as text; unknown codes fall back to English, then the code."""
    code, params = str(message.get("code", "")), message.get("params") or {}
    text = catalogue(language).get(code) or ENGLISH.get(code)
    if text is None:
        return str(message.get("message") or code)
    values = {k: _render_value(v, language) for k, v in params.items()}
    return text.format_map(_Lenient(values))


def _render_value(value: Any, language: Language) -> Any:
    if isinstance(value, Msg):
        return value.render(language)
    if isinstance(value, Mapping) and "code" in value:
        return render(value, language)
    if isinstance(value, Joined):
        value = value.to_dict()
    if isinstance(value, Mapping) and "join" in value:
        separator = SEPARATORS.get(str(value["join"]), LIST_SEPARATOR)[language]
        return separator.join(str(_render_value(v, language)) for v in value.get("items", []))
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR[language].join(str(_render_value(v, language)) for v in value)
    return "" if value is None else value


class _Lenient(dict[str, Any]):
    """Leaves a placeholder without a parameter visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def language_of(locale_name: str | None) -> Language:
    """`zh_CN.UTF-8`, `zh-TW`, `zh` -> zh; anything else (or nothing) -> en."""
    return "zh" if (locale_name or "").lower().startswith("zh") else "en"


def message_dict(message: Msg | str) -> dict[str, Any]:
    """A message or a plain (uncoded) text as {code, params, message}."""
    if isinstance(message, Msg):
        return {**message.to_dict(), "message": message.render("en")}
    return {"code": "text", "params": {"text": message}, "message": message}


TEXT = template("text", "{text}")  # a text that has no code (a stray log line, user input)

# Modules that define templates; importing them fills ENGLISH (the registry of codes).
MESSAGE_MODULES = (
    "easytune.intent.reasons",
    "easytune.intent.error_messages",
    "easytune.training.messages",
    "easytune.training.data.messages",
    "easytune.training.data.error_messages",
    "easytune.jobs.messages",
    "easytune.cli.language",
    "easytune.cli.export",
)


def all_codes() -> dict[str, str]:
    """Every registered code with its English template (imports each message module)."""
    for name in MESSAGE_MODULES:
        importlib.import_module(name)
    return dict(sorted(ENGLISH.items()))


def web_catalogues() -> dict[Language, dict[str, str]]:
    """The catalogues the web UI bundles: every code, in English and in Chinese."""
    english = all_codes()
    zh = chinese()
    return {"en": english, "zh": {code: zh[code] for code in english if code in zh}}
