"""Dataset kinds over HTTP: named refusals, warnings and the kind in the stored report."""
# mypy: disable-error-code="attr-defined"
# File bodies are str or bytes.

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.core.conftest import jsonl

USER = {"role": "user", "content": "Which planet is red?"}
GOOD = {"role": "assistant", "content": "Mars."}


def test_a_preference_file_is_stored_as_such_and_plans_the_preference_intent(
    upload: Callable[..., Any], client_as: Callable[[str], Any], registered: dict[str, str]
) -> None:
    bad = {"role": "assistant", "content": "Venus."}
    pairs = [{"messages": [USER], "chosen": [GOOD], "rejected": [bad]}] * 40
    response = upload(content=jsonl(pairs))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["report"]["kind"] == "preference" and body["examples"] == 40
    assert any(n.startswith("this is a preference-pair") for n in body["report"]["notes"])
    engineer = client_as("engineer")
    preview = engineer.get(f"/api/v1/datasets/{body['id']}/preview").json()["data"][0]
    assert preview["messages"][-1]["content"] == "Mars." and preview["rejected"] == "Venus."
    plan_body = {"base_model_id": registered["model"], "dataset_id": body["id"],
                 "intent": {"level": "auto", "description": ""}}  # fmt: skip
    plan = engineer.post("/api/v1/intent/plan", json=plan_body).json()
    assert plan["level"] == "preference" and plan["spec"]["train"]["method"] == "dpo"
    orpo = engineer.post("/api/v1/intent/plan", json={
        **plan_body, "intent": {"level": "preference"}, "overrides": {"train.method": "orpo"}
    }).json()  # fmt: skip
    assert orpo["spec"]["train"]["method"] == "orpo"
    chats = engineer.post("/api/v1/intent/plan", json={
        **plan_body, "dataset_id": registered["dataset"], "intent": {"level": "preference"}
    })  # fmt: skip
    assert chats.status_code == 422 and chats.json()["error"]["param"] == "intent.level"


def test_a_multimodal_file_is_stored_with_its_warnings_and_kind(upload: Callable[..., Any]) -> None:
    records = [{"messages": [USER, GOOD], "images": ["a.png"]}] * 3
    response = upload(content=jsonl(records))
    assert response.status_code == 201, response.text
    report = response.json()["report"]
    assert report["kind"] == "chat"
    messages = [warning["message"] for warning in report["warnings"]]
    assert any(m.startswith("multimodal file: 'images' in 3 record(s)") for m in messages), messages


def _zip(entries: dict[str, str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


ARTICLE = "The quick brown fox jumps over the lazy dog. " * 40


def test_text_markdown_and_zip_uploads_are_corpora_counted_in_blocks(
    upload: Callable[..., Any],
) -> None:
    files = {
        "wiki.txt": (ARTICLE + "\n") * 3,
        "guide.md": "# Guide\n\n" + ARTICLE,
        "docs.zip": _zip({"a.md": ARTICLE, "b.txt": ARTICLE, "../evil.txt": "x"}),
        "safe.zip": _zip({"a.md": ARTICLE, "b.txt": ARTICLE}),
    }
    bodies = {n: c if isinstance(c, bytes) else c.encode() for n, c in files.items()}
    for name in ("wiki.txt", "guide.md", "safe.zip"):
        response = upload(content=bodies[name], filename=name)
        assert response.status_code == 201, response.text
        body = response.json()
        report = body["report"]
        assert body["format"] == "text" and report["kind"] == "corpus"
        assert report["truncated"] == 0 and report["blocks"] >= 1
        assert any(note.startswith("a text corpus:") for note in report["notes"])
    refused = upload(content=bodies["docs.zip"], filename="docs.zip")
    assert refused.status_code == 422
    assert "climbs out of the archive" in refused.json()["error"]["errors"][0]["message"]


def test_a_plan_can_mix_chats_into_a_corpus(
    upload: Callable[..., Any], client_as: Callable[[str], Any], registered: dict[str, str]
) -> None:
    corpus = upload(content=((ARTICLE + "\n") * 3).encode(), filename="wiki.txt").json()
    body = {
        "base_model_id": registered["model"],
        "dataset_id": corpus["id"],
        "mix_dataset_id": registered["dataset"],
        "intent": {"level": "L2", "description": "know the articles"},
    }
    response = client_as("engineer").post("/api/v1/intent/plan", json=body)
    assert response.status_code == 200, response.text
    plan = response.json()
    assert plan["spec"]["data"]["train_path"].endswith("data.txt")
    assert plan["spec"]["data"]["mix_path"].endswith("data.jsonl")
    assert "keep the chat format" in plan["reasons"]["data.mix_path"]
    assert "blocks" in plan["reasons"]["data.max_length"]
    missing = client_as("engineer").post(
        "/api/v1/intent/plan", json={**body, "mix_dataset_id": "ds_nope"}
    )
    assert missing.status_code == 404


def test_a_tool_calling_file_is_stored_as_such_and_previewed_with_its_calls(
    upload: Callable[..., Any], client_as: Callable[[str], Any]
) -> None:
    import json

    record = {
        "tools": json.dumps([{"name": "get_weather", "parameters": {"type": "object"}}]),
        "conversations": [
            {"from": "human", "value": "Weather in Paris?"},
            {
                "from": "function_call",
                "value": '{"name": "get_weather", "arguments": {"city": "Paris"}}',
            },
            {"from": "observation", "value": "sunny"},
            {"from": "gpt", "value": "Sunny."},
        ],
    }
    response = upload(content=jsonl([record] * 2), filename="glaive.json")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["format"] == "sharegpt" and body["report"]["kind"] == "tool_calling"
    preview = client_as("engineer").get(f"/api/v1/datasets/{body['id']}/preview").json()
    turns = preview["data"][0]["messages"]
    assert [t["role"] for t in turns] == ["user", "assistant", "tool", "assistant"]
    assert turns[1]["content"].startswith('<tool_call>\n{"name": "get_weather"')
