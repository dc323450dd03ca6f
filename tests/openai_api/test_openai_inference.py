"""The OpenAI-compatible inference API through the official `openai` package, against a real
uvicorn server: models, chat completions (whole and streamed), completions, errors."""
# mypy: disable-error-code="arg-type,attr-defined,call-overload"
# Plain dicts and extra options passed to the SDK as a user would; the SDK declares
# TypedDicts and overloads.

from __future__ import annotations

import shlex
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from tests.openai_api.conftest import add_adapter

from easytune.api.state import app_state
from easytune.db.models import ModelRecord
from easytune.testing.live_server import LiveServer

MESSAGES = [{"role": "user", "content": "Write a short poem about the sea."}]
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def sdk(live: LiveServer, username: str = "engineer1") -> OpenAI:
    return OpenAI(base_url=f"{live.url}/v1", api_key=live.token(username), max_retries=0)


def _chat(client: OpenAI, model: str, **extra: object) -> openai.types.chat.ChatCompletion:
    options: dict[str, object] = {"max_tokens": 8, "temperature": 0, **extra}
    return client.chat.completions.create(model=model, messages=MESSAGES, **options)


def test_models_chat_stream_and_completions(live: LiveServer, tiny_llama_dir: Path) -> None:
    adapter = add_adapter(live, "engineer1", "pirate", tiny_llama_dir)
    client = sdk(live)
    ids = {m.id for m in client.models.list()}
    assert {"tiny", "ft:tiny:pirate:v1"} <= ids
    assert client.models.retrieve("ft:tiny:pirate:v1").easytune_id == adapter
    assert client.models.retrieve(adapter).id == "ft:tiny:pirate:v1"

    whole = _chat(client, "ft:tiny:pirate:v1")
    assert whole.choices[0].message.role == "assistant" and whole.choices[0].message.content
    assert whole.model == "ft:tiny:pirate:v1" and whole.choices[0].finish_reason == "length"
    assert whole.usage and whole.usage.completion_tokens == 8 and whole.usage.prompt_tokens > 5
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + 8
    assert _chat(client, adapter).choices[0].message.content == whole.choices[0].message.content

    chunks = list(_chat(client, "ft:tiny:pirate:v1", stream=True,
                        stream_options={"include_usage": True}))  # fmt: skip
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content  # greedy: streamed equals whole
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage and chunks[-1].usage.completion_tokens == 8

    done = client.completions.create(model="tiny", prompt="Once upon a time", max_tokens=5,
                                     temperature=0)  # fmt: skip
    assert done.object == "text_completion" and done.choices[0].text
    assert done.usage and done.usage.completion_tokens == 5
    streamed = client.completions.create(model="tiny", prompt="Once upon a time", max_tokens=5,
                                         temperature=0, stream=True)  # fmt: skip
    assert "".join(c.choices[0].text for c in streamed) == done.choices[0].text


def test_stop_strings_seed_and_sampling(live: LiveServer) -> None:
    client = sdk(live)
    full = _chat(client, "tiny", max_tokens=24).choices[0].message.content or ""
    assert len(full) > 4
    stop = full[3:6]
    cut = _chat(client, "tiny", max_tokens=24, stop=[stop]).choices[0]
    assert cut.message.content == full[: full.index(stop)] and cut.finish_reason == "stop"
    streamed = _chat(client, "tiny", max_tokens=24, stop=stop, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == cut.message.content

    def sampled(seed: int) -> str:
        answer = client.chat.completions.create(
            model="tiny",
            messages=MESSAGES,
            max_tokens=12,
            temperature=1.5,
            seed=seed,
        )
        return answer.choices[0].message.content or ""

    assert sampled(7) == sampled(7)  # a seed makes sampling repeatable
    assert len({sampled(s) for s in range(1, 5)}) > 1  # and sampling does sample


def test_two_adapters_share_one_loaded_base(live: LiveServer, tiny_llama_dir: Path) -> None:
    add_adapter(live, "engineer1", "pirate", tiny_llama_dir)
    add_adapter(live, "engineer1", "poet", tiny_llama_dir)
    client = sdk(live)
    base = _chat(client, "tiny").choices[0].message.content
    pirate = _chat(client, "ft:tiny:pirate:v1").choices[0].message.content
    poet = _chat(client, "ft:tiny:poet:v1").choices[0].message.content
    assert len({base, pirate, poet}) == 3  # each adapter answers in its own way
    assert _chat(client, "ft:tiny:pirate:v1").choices[0].message.content == pirate
    assert _chat(client, "tiny").choices[0].message.content == base  # adapters switched off
    loaded = app_state(live.app).inference.loaded()
    assert len(loaded) == 1, loaded  # one base model in memory for all three answers
    [adapters] = loaded.values()
    assert len(adapters) == 2


def test_errors_in_openai_shape(live: LiveServer, tiny_llama_dir: Path) -> None:
    private = add_adapter(live, "engineer1", "pirate", tiny_llama_dir)
    bad_key = OpenAI(base_url=f"{live.url}/v1", api_key="et_pat_nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as auth:
        bad_key.models.list()
    assert auth.value.code == "invalid_api_key" and auth.value.type == "invalid_request_error"
    other = sdk(live, "engineer2")
    for model in ("ft:tiny:pirate:v1", private, "nothing-like-it", "ft:tiny:pirate"):
        with pytest.raises(openai.NotFoundError) as missing:
            _chat(other, model)
        assert missing.value.code == "model_not_found" and missing.value.param == "model"
    client = sdk(live)
    with pytest.raises(openai.BadRequestError) as many:
        _chat(client, "tiny", n=2)
    assert many.value.param == "n" and "n=1" in str(many.value.message)
    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model="tiny", messages=[])
    assert empty.value.param == "messages" and empty.value.type == "invalid_request_error"
    with pytest.raises(openai.PermissionDeniedError):
        _chat(sdk(live, "viewer1"), "tiny")
    raw = httpx.get(f"{live.url}/v1/nowhere", headers={"Authorization": "Bearer x"})
    assert raw.status_code == 404 and set(raw.json()["error"]) >= {
        "message",
        "type",
        "param",
        "code",
    }
    rest = httpx.get(f"{live.url}/api/v1/models", headers={"Authorization": "Bearer x"})
    assert rest.status_code == 401 and "type" not in rest.json()["error"]  # /api/v1 keeps its shape


def test_serving_recipe_for_an_adapter(live: LiveServer, tiny_llama_dir: Path) -> None:
    adapter = add_adapter(live, "engineer1", "pirate", tiny_llama_dir)
    with live.client("engineer1") as rest:
        recipe = rest.get(f"/api/v1/models/{adapter}/serving").json()
        base_id = rest.get("/api/v1/models", params={"kind": "base"}).json()["data"][0]["id"]
        assert rest.get(f"/api/v1/models/{base_id}/serving").status_code == 400
    with app_state(live.app).session_factory() as session:
        record = session.get(ModelRecord, adapter)
        assert record is not None
        folder = record.path
    assert recipe["openai_model"] == "ft:tiny:pirate:v1"
    assert shlex.split(recipe["vllm_command"]) == [
        "vllm", "serve", str(tiny_llama_dir.resolve()), "--enable-lora",
        "--lora-modules", f"ft:tiny:pirate:v1={folder}", "--max-lora-rank", "8",
    ]  # fmt: skip
    assert recipe["ollama_modelfile"].splitlines() == [
        f"FROM {tiny_llama_dir.resolve()}",
        f"ADAPTER {folder}",
    ]
    assert recipe["ollama_commands"][0] == "ollama create pirate:v1 -f Modelfile"
    with live.client("engineer2") as other:
        assert other.get(f"/api/v1/models/{adapter}/serving").status_code == 404
