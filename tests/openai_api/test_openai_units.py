"""The pure parts of the /v1 surface: ids and their parsing, stop strings across pieces, the
error rewrite."""

from __future__ import annotations

import pytest

from easytune.openai import ids
from easytune.openai.catalog import _like
from easytune.openai.errors import openai_error
from easytune.openai.generation import StopScanner


def test_ids_are_safe_and_parse_back() -> None:
    assert ids.safe_name("my:model v2/x") == "my-model-v2-x"
    assert ids.adapter_id("Qwen2.5:0.5B", "pirate talk", 3) == "ft:Qwen2.5-0.5B:pirate-talk:v3"
    assert ids.base_id("tiny", 1) == "tiny" and ids.base_id("tiny", 2) == "tiny:v2"
    assert ids.parse_model_id("ft:Qwen2.5-0.5B:pirate-talk:v3") == ids.ModelName(
        "pirate-talk", 3, "Qwen2.5-0.5B"
    )
    assert ids.parse_model_id("tiny") == ids.ModelName("tiny", 1)
    assert ids.parse_model_id("tiny:v2") == ids.ModelName("tiny", 2)
    for bad in ("ft:tiny:pirate", "ft:tiny:pirate:3", "tiny:latest", "ft:a:b:v0", "tiny:v01"):
        assert ids.parse_model_id(bad) is None, bad
    assert ids.parse_job_id("ftjob-12") == 12 and ids.parse_job_id("ftjob-x") is None
    assert ids.dataset_id(ids.file_id("ds_1")) == "ds_1"


def test_like_pattern_matches_every_name_with_that_safe_form() -> None:
    assert _like("pirate-talk") == "pirate_talk"
    assert _like("a_b%c") == "a\\_b\\%c"


@pytest.mark.parametrize(
    ("pieces", "stops", "sent", "hit"),
    [
        (["Hello wor", "ld. Bye"], ["world"], "Hello ", True),
        (["ab", "c", "d"], ["cx"], "abcd", False),  # a held-back "c" is sent once "d" comes
        (["x<", "|e", "nd|>y"], ["<|end|>"], "x", True),
        (["no stops here"], [], "no stops here", False),
        (["aaa"], ["b", "aa"], "", True),  # the earliest stop wins
    ],
)
def test_stop_scanner(pieces: list[str], stops: list[str], sent: str, hit: bool) -> None:
    scanner = StopScanner(stops)
    out, met = "", False
    for piece in pieces:
        text, met = scanner.feed(piece)
        out += text
        if met:
            break
    if not met:
        out += scanner.flush()
    assert (out, met) == (sent, hit)


def test_error_rewrite() -> None:
    status, body = openai_error(422, {"code": "validation_error", "message": "m", "param": "n"})
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, body = openai_error(401, {"code": "unauthorized", "message": "m", "param": None})
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    assert openai_error(500, {"message": "x"})[1]["error"]["type"] == "server_error"
