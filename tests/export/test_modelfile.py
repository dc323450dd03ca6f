"""The Ollama Modelfile: FROM/ADAPTER, the chat template as the matching Go template, the
template's default system prompt, and a stop for every end-of-answer token."""

from __future__ import annotations

from typing import Any

import pytest

from easytune.export.merge import end_token_ids
from easytune.export.modelfile import modelfile_text
from easytune.testing.tiny import build_llama_tokenizer

# SmolLM2-Instruct's template: ChatML that adds a system prompt when the chat has none.
SMOLLM2 = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}"
)
LLAMA3 = (
    "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
    "'<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)
GEMMA = (
    "{% for message in messages %}{{ '<start_of_turn>' + message['role'] + '\n' + "
    "message['content'] + '<end_of_turn>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}"
)


@pytest.fixture
def tokenizer() -> Any:
    return build_llama_tokenizer()


def _modelfile(tokenizer: Any, template: str | None, adapter: str | None = None) -> str:
    tokenizer.chat_template = template
    text, _family = modelfile_text("./model.gguf", tokenizer, end_token_ids(tokenizer), adapter)
    return text


def test_chatml_with_a_default_system_prompt(tokenizer: Any) -> None:
    text = _modelfile(tokenizer, SMOLLM2)
    assert text.startswith('FROM ./model.gguf\nTEMPLATE """{{- range .Messages }}<|im_start|>')
    assert 'SYSTEM "You are a helpful AI assistant named SmolLM, trained by Hugging Face"' in text
    assert text.endswith('PARAMETER stop "<|im_end|>"\n')


def test_llama3_and_gemma_get_their_own_go_templates(tokenizer: Any) -> None:
    llama3 = _modelfile(tokenizer, LLAMA3)
    assert "<|start_header_id|>{{ .Role }}<|end_header_id|>" in llama3 and "SYSTEM" not in llama3
    gemma = _modelfile(tokenizer, GEMMA)
    assert '{{ if eq .Role "assistant" }}model{{ else }}{{ .Role }}{{ end }}' in gemma


def test_adapter_line_and_no_template_without_a_chat_template(tokenizer: Any) -> None:
    text = _modelfile(tokenizer, None, adapter="./adapter-f16.gguf")
    assert text.splitlines() == [
        "FROM ./model.gguf",
        "ADAPTER ./adapter-f16.gguf",
        'PARAMETER stop "<|im_end|>"',
    ]


def test_every_end_token_becomes_a_stop(tokenizer: Any) -> None:
    ids = end_token_ids(tokenizer, config_eos=tokenizer.convert_tokens_to_ids("</s>"))
    text, _ = modelfile_text("./m.gguf", tokenizer, ids)
    assert 'PARAMETER stop "<|im_end|>"' in text and 'PARAMETER stop "</s>"' in text
