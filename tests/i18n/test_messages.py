"""Every reason, note and event is coded, and every code reads in English and in Chinese."""

from __future__ import annotations

import ast
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.intent.intent_cases import DATASETS, HARDWARE, MODELS, plan_kwargs

from easytune.i18n import Msg, all_codes, chinese, placeholders, render, web_catalogues
from easytune.intent import IntentRequest, PlanDoesNotFit, resolve_plan
from easytune.intent.plan import Plan

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "easytune"
CJK = re.compile(r"[\u4e00-\u9fff]")
# What may stay Latin in a Chinese template: setting names, values and technical names.
LATIN_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
# ... and quoted field names ('chosen', `preference`), file suffixes (.txt) and value lists.
SETTING_OR_CODE = re.compile(
    r"[\w.]+\.[\w.*]+|\w+_\w+|\{[^}]*\}|'[^'\s]*'|`[^`]*`|\.\w+|\w+(\|\w+)+|^\w+:"
)
TECHNICAL = {"ChatML", "DoRA", "GGUF", "LoRA", "QLoRA", "rsLoRA", "SIGKILL", "SIGTERM", "alpha",
             "dropout", "sqrt", "torchrun", "false", "true", "DPO", "ORPO", "SimPO", "KTO", "SFT",
             "preference", "JSON", "JSONL", "Markdown", "OpenAI", "ShareGPT", "EasyTune", "text",
             "content", "value", "instruction", "input", "output", "system", "CUDA", "bitsandbytes",
             "auto", "cuda", "orpo", "simpo", "Ollama", "transformers", "Alpaca",
             "Parquet"}  # fmt: skip


def test_every_code_has_an_english_and_a_chinese_template_with_the_same_parameters() -> None:
    english, zh = all_codes(), chinese()
    assert len(english) > 150
    assert sorted(set(english) - set(zh)) == []
    assert sorted(set(zh) - set(english)) == []  # no stale translations
    differ = [c for c in english if placeholders(english[c]) != placeholders(zh[c])]
    assert differ == []


def _template_codes(tree: ast.AST) -> list[str]:
    """Codes passed as literals to `t(...)` / `template(...)` in one module."""
    return [
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and getattr(call.func, "id", None) in {"t", "template"}
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ]


def test_the_codes_enumerated_from_the_source_are_the_registry() -> None:
    """Read from the source text, not from what was imported: a module that defines templates
    but is missing from MESSAGE_MODULES would leave its codes untranslated in the web UI."""
    found = {
        code
        for path in SRC.rglob("*.py")
        for code in _template_codes(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert found == set(all_codes())


def _uncoded_reasons(path: Path) -> list[str]:
    """`d.choose/revise(path, value, "text")` or `warnings.append("text")` with a plain string."""
    bad = []
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            continue
        name, args = call.func.attr, call.args
        text = args[2] if name in {"choose", "revise"} and len(args) == 3 else None
        owner = getattr(call.func.value, "attr", None)
        text = args[0] if name == "append" and owner == "warnings" and len(args) == 1 else text
        if isinstance(text, ast.JoinedStr | ast.Constant) and isinstance(
            getattr(text, "value", ""), str
        ):
            bad.append(f"{path.name}:{call.lineno}")
    return bad


def test_the_intent_engine_writes_no_uncoded_reason_or_warning() -> None:
    bad = [line for path in (SRC / "intent").glob("*.py") for line in _uncoded_reasons(path)]
    assert bad == []


def _messages(plan: Plan) -> list[dict[str, Any]]:
    data = plan.to_dict()
    return [
        data["level_reason_detail"],
        *data["reason_details"].values(),
        *data["warning_details"],
        data["estimate"]["budget_detail"],
    ]


def _plans() -> list[Plan]:
    plans = []
    levels = ("L1", "L2", "L3", "auto")
    overrides: tuple[dict[str, object], ...] = (
        {},
        {"lora.r": 300, "train.learning_rate": 2e-3, "data.packing": True},
    )
    for level, model, hw, data, extra in itertools.product(
        levels, MODELS.values(), HARDWARE.values(), DATASETS.values(), overrides
    ):
        intent = IntentRequest(level=level, description="请用礼貌的语气 in a friendly tone")
        try:
            plans.append(resolve_plan(intent, data, model, hw, overrides=extra, **plan_kwargs()))
        except PlanDoesNotFit:
            continue
    return plans


def test_every_plan_row_reads_in_chinese_and_english_matches_the_message_field() -> None:
    plans = _plans()
    assert len(plans) > 50
    seen: set[str] = set()
    for plan in plans:
        data = plan.to_dict()
        assert data["level_reason"] == render(data["level_reason_detail"], "en")
        for path, detail in data["reason_details"].items():
            assert data["reasons"][path] == render(detail, "en")
        for message in _messages(plan):
            seen.add(message["code"])
            zh = render(message, "zh")
            assert CJK.search(zh), f"{message['code']}: no Chinese in {zh!r}"
            assert "{" not in zh, zh
        json.dumps(data)
    assert len(seen) > 60


def test_chinese_templates_leave_only_technical_names_in_latin_letters() -> None:
    words = {
        code: set(LATIN_WORD.findall(SETTING_OR_CODE.sub("", text))) - TECHNICAL
        for code, text in chinese().items()
    }
    assert {code: found for code, found in words.items() if found} == {}


def test_a_nested_message_is_rendered_in_the_same_language() -> None:
    from easytune.intent import reasons as rs

    why = rs.OVERRIDE_CHANGED(value="4", reason=rs.SEED())
    assert str(why) == "set by you (was 4 because fixed so a rerun gives the same adapter)"
    assert render(why.to_dict(), "zh") == "由你设置（原为 4，因为固定不变，重跑会得到相同的适配器）"
    assert Msg("no.such.code", {}).render("zh") == "no.such.code"
    assert render({"code": "no.such.code", "message": "kept"}, "zh") == "kept"


def test_chinese_templates_use_the_glossary_terms() -> None:
    glossary = json.loads((ROOT / "web/src/i18n/glossary.json").read_text(encoding="utf-8"))
    texts = [re.sub(r"\{[^}]*\}", "", text) for text in chinese().values()]
    offending = [
        f"{word} (use {term['zh']}): {text}"
        for term in glossary["terms"]
        for word in term["avoid"]
        for text in texts
        if word in text
    ]
    assert offending == []


def test_each_glossary_term_is_translated_one_way() -> None:
    """Where the English says the term, the Chinese says the glossary's word (not a synonym)."""
    glossary = json.loads((ROOT / "web/src/i18n/glossary.json").read_text(encoding="utf-8"))
    by_word = {term["en"].split(" (")[0].split(" / ")[0]: term["zh"] for term in glossary["terms"]}
    english, zh = all_codes(), chinese()
    missing = [
        f"{code}: '{word}' is not {term} in {zh[code]!r}"
        for word, term in by_word.items()
        for code, text in english.items()
        if re.search(rf"\b{re.escape(word)}s?\b", SETTING_OR_CODE.sub("", text), re.IGNORECASE)
        and not re.search(r"\b(API|access) token", text)
        and term not in zh[code]
    ]
    assert missing == []


def test_the_web_catalogues_are_exported_from_the_registry() -> None:
    """`python -m easytune.i18n` writes them; a stale copy fails here."""
    for language, catalogue in web_catalogues().items():
        path = ROOT / "web/src/i18n/messages" / f"{language}.json"
        assert json.loads(path.read_text(encoding="utf-8")) == catalogue, (
            "run: python -m easytune.i18n web/src/i18n/messages"
        )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh_CN.UTF-8", "由你选择"), ("C.UTF-8", "chosen by you"), ("en_US.UTF-8", "chosen by you")],
)
def test_the_cli_prints_reasons_in_the_locales_language(
    tmp_path: Path, tiny_llama_dir: Path, locale: str, expected: str
) -> None:
    from click.testing import CliRunner

    from easytune.cli.training import plan_command

    data = tmp_path / "train.jsonl"
    rows = [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": "a"}]}
        for i in range(30)
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    args = ["--model", str(tiny_llama_dir), "--data", str(data), "--level", "L1"]
    env = {"LANG": locale, "LC_ALL": None, "LC_MESSAGES": None}
    result = CliRunner().invoke(plan_command, [*args, "--output", str(tmp_path / "o")], env=env)
    assert result.exit_code == 0, result.output
    assert expected in result.output
    reasons = [line for line in result.output.splitlines() if line.startswith("  lora.")]
    assert reasons and all(bool(CJK.search(r)) == locale.startswith("zh") for r in reasons)


def test_the_web_plan_fixture_is_what_the_engine_resolves_today() -> None:
    from tests.intent.make_web_plan_fixture import TARGET, engine_plan

    stored = json.loads(TARGET.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(engine_plan())), (
        "run: PYTHONPATH=src python -m tests.intent.make_web_plan_fixture"
    )
