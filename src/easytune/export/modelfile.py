"""An Ollama Modelfile for a GGUF export: FROM, ADAPTER, TEMPLATE (Go syntax), stops, SYSTEM.

Ollama runs Go templates, not Jinja, so the chat template is recognised by its family (the
markers it renders) and written as that family's Go template; the default system prompt a
Jinja template injects (SmolLM2 does) is read off a rendering and kept as SYSTEM.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_SENTINEL = "\x00EASYTUNE-USER\x00"

CHATML_GO = (
    "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}"
    "<|im_start|>assistant\n"
)
LLAMA3_GO = (
    "{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n"
    "{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n"
)
GEMMA_GO = (
    "{{- range .Messages }}<start_of_turn>"
    '{{ if eq .Role "assistant" }}model{{ else }}{{ .Role }}{{ end }}\n'
    "{{ .Content }}<end_of_turn>\n{{ end }}<start_of_turn>model\n"
)
INST_GO = (
    "{{- range .Messages }}"
    '{{ if eq .Role "user" }}[INST] {{ .Content }} [/INST]'
    '{{ else if eq .Role "assistant" }}{{ .Content }}</s>'
    "{{ else }}{{ .Content }}\n\n{{ end }}{{ end }}"
)
PHI3_GO = "{{- range .Messages }}<|{{ .Role }}|>\n{{ .Content }}<|end|>\n{{ end }}<|assistant|>\n"


@dataclass(frozen=True)
class Family:
    """A chat template family: how to recognise it and its Go template for Ollama."""

    name: str
    marker: str
    go_template: str
    system_open: str
    system_close: str


# Checked in order: the first family whose marker the Jinja template renders wins.
FAMILIES: tuple[Family, ...] = (
    Family("chatml", "<|im_start|>", CHATML_GO, "<|im_start|>system\n", "<|im_end|>"),
    Family(
        "llama3",
        "<|start_header_id|>",
        LLAMA3_GO,
        "<|start_header_id|>system<|end_header_id|>\n\n",
        "<|eot_id|>",
    ),
    Family("gemma", "<start_of_turn>", GEMMA_GO, "", ""),
    Family("phi3", "<|user|>", PHI3_GO, "<|system|>\n", "<|end|>"),
    Family("inst", "[INST]", INST_GO, "", ""),
)


def render_user_turn(tokenizer: Any) -> str:
    """The chat template rendered for one user message (empty without a template)."""
    if not getattr(tokenizer, "chat_template", None):
        return ""
    messages = [{"role": "user", "content": _SENTINEL}]
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return str(text)


def chat_family(rendered: str) -> Family | None:
    """The family whose markers the rendered template holds, or None."""
    return next((f for f in FAMILIES if f.marker in rendered), None)


def default_system(rendered: str, family: Family) -> str | None:
    """A system prompt the template adds on its own when the chat has none (SmolLM2's)."""
    if not family.system_open or family.system_open not in rendered:
        return None
    start = rendered.index(family.system_open) + len(family.system_open)
    end = rendered.find(family.system_close, start)
    text = rendered[start:end] if end >= 0 else ""
    return text or None


def stop_tokens(tokenizer: Any, end_ids: list[int]) -> list[str]:
    """The text of every end-of-answer token (eos and end of turn), for PARAMETER stop."""
    tokens = tokenizer.convert_ids_to_tokens(end_ids)
    return [t for t in dict.fromkeys(tokens) if t]


def _quote(text: str) -> str:
    # Ollama reads a JSON-style quoted string; triple quotes keep newlines readable.
    return f'"""{text}"""' if "\n" in text and '"""' not in text else json.dumps(text)


def modelfile_text(
    from_path: str, tokenizer: Any, end_ids: list[int], adapter_path: str | None = None
) -> tuple[str, str | None]:
    """(the Modelfile, the chat family found or None)."""
    lines = [f"FROM {from_path}"]
    if adapter_path is not None:
        lines.append(f"ADAPTER {adapter_path}")
    rendered = render_user_turn(tokenizer)
    family = chat_family(rendered)
    if family is not None:
        lines.append(f"TEMPLATE {_quote(family.go_template)}")
        system = default_system(rendered, family)
        if system:
            lines.append(f"SYSTEM {_quote(system)}")
    lines += [f"PARAMETER stop {_quote(stop)}" for stop in stop_tokens(tokenizer, end_ids)]
    return "\n".join(lines) + "\n", family.name if family else None
