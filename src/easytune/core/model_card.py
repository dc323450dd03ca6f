"""The README.md model card shipped in an adapter zip, in place of PEFT's empty template.

Everything in it comes from the adapter's lineage: the base model as the world knows it, the
data and its checksum, the plan, the metrics, the forgetting (CF) report, the evaluation report
when there is one, and how to load the adapter in PEFT, vLLM and llama.cpp.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from easytune.core.base_reference import BaseReference


@dataclass(frozen=True)
class CardFacts:
    """What the card is written from; `lineage` holds the parsed lineage files by name."""

    title: str
    folder: str  # the adapter's folder inside the zip
    base: BaseReference
    spec: dict[str, Any]
    dataset_name: str | None
    dataset_sha256: str | None
    job_id: int | None
    lineage: dict[str, Any] = field(default_factory=dict)


def render_card(facts: CardFacts) -> str:
    """The card as Markdown (YAML front matter for the Hugging Face hub, then sections)."""
    parts = [_front_matter(facts), f"# {facts.title}\n", _intro(facts)]
    parts += [section(facts) for section in SECTIONS]
    return "\n".join(part for part in parts if part).rstrip() + "\n"


def _front_matter(facts: CardFacts) -> str:
    return (
        f"---\nlibrary_name: peft\nbase_model: {facts.base.name}\n"
        "tags:\n- easytune\n- lora\n- peft\n---\n"
    )


def _intro(facts: CardFacts) -> str:
    job = f" by job {facts.job_id}" if facts.job_id is not None else ""
    return (
        f"A LoRA adapter for `{facts.base.name}`, trained with EasyTune{job}. The lineage "
        "files next to this card (`train_spec.json`, `metrics.json`, `cf_report.json`, "
        "`data_report.json`, `eval_report.json` when present) hold every detail.\n"
    )


def _table(title: str, rows: list[tuple[str, Any]]) -> str:
    kept = [(k, v) for k, v in rows if v is not None and v != ""]
    if not kept:
        return ""
    body = "\n".join(f"| {k} | {_cell(v)} |" for k, v in kept)
    return f"## {title}\n\n| | |\n| --- | --- |\n{body}\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _base(facts: CardFacts) -> str:
    b = facts.base
    quant = f"GGUF {b.quantization}, dequantised for training" if b.quantization else None
    return _table("Base model", [
        ("name", f"`{b.name}`"), ("revision", b.revision), ("weights file", b.weights_file),
        ("quantisation trained on", quant), ("weights sha256", b.weights_sha256),
    ])  # fmt: skip


def _data(facts: CardFacts) -> str:
    report = facts.lineage.get("data_report.json") or {}
    stats = report.get("stats", {}) if isinstance(report, dict) else {}
    return _table("Training data", [
        ("name", facts.dataset_name), ("sha256", facts.dataset_sha256),
        ("format", stats.get("format")), ("examples", stats.get("examples")),
        ("tokens", stats.get("total_tokens")),
    ])  # fmt: skip


def _plan(facts: CardFacts) -> str:
    s, lora, train, cf = (
        facts.spec,
        _sub(facts.spec, "lora"),
        _sub(facts.spec, "train"),
        _sub(facts.spec, "cf"),
    )
    guard = None
    if cf.get("enabled", True) and cf.get("warn_threshold") is not None:
        stop = cf.get("stop_threshold")
        guard = f"warn above {cf['warn_threshold']:g}" + (f", stop above {stop:g}" if stop else "")
    return _table("Plan", [
        ("level", s.get("level")), ("adapted modules", lora.get("target_modules")),
        ("rank / alpha / dropout", _join(lora, ("r", "alpha", "dropout"))),
        ("epochs", train.get("epochs")), ("max steps", train.get("max_steps")),
        ("learning rate", train.get("learning_rate")),
        ("batch x accumulation", _join(train, ("batch_size", "gradient_accumulation"), " x ")),
        ("max length", _sub(s, "data").get("max_length")), ("precision", train.get("precision")),
        ("forgetting guard", guard),
    ])  # fmt: skip


def _metrics(facts: CardFacts) -> str:
    m = facts.lineage.get("metrics.json") or {}
    return _table("Metrics", [
        ("steps", m.get("steps")), ("epochs", m.get("epochs")),
        ("train loss (last 10 steps)", m.get("train_loss")), ("eval loss", m.get("eval_loss")),
        ("best eval loss", m.get("best_eval_loss")), ("tokens seen", m.get("tokens_seen")),
        ("training seconds", m.get("train_seconds")),
    ])  # fmt: skip


def _forgetting(facts: CardFacts) -> str:
    report = facts.lineage.get("cf_report.json") or {}
    history = report.get("history") or []
    last = history[-1] if history and isinstance(history[-1], dict) else {}
    if not last:
        return ""
    table = _table("Forgetting (CF score)", [
        ("score", last.get("score")), ("perplexity ratio", last.get("ppl_ratio")),
        ("KL from the base (nats/token)", last.get("kl")),
        ("warning threshold", report.get("warn_threshold")),
        ("reference set", report.get("reference")),
    ])  # fmt: skip
    return table + (
        "\nThe score is max(perplexity ratio - 1, 0) + KL, measured on general text against the "
        "base model: 0 means unchanged; above the warning threshold the adapter drifted from the "
        "base on text it was not trained for.\n"
    )


def _evaluation(facts: CardFacts) -> str:
    report = facts.lineage.get("eval_report.json")
    if not isinstance(report, dict):
        return ""
    summary = report.get("summary", report)
    rows = [(str(k), v) for k, v in summary.items() if isinstance(v, str | int | float)]
    return _table("Evaluation", rows) or "## Evaluation\n\nSee `eval_report.json`.\n"


def _usage(facts: CardFacts) -> str:
    base, folder = facts.base.name, facts.folder
    rank = _sub(facts.spec, "lora").get("r", 16)
    return f"""## How to use

PEFT (transformers):

```python
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

base = AutoModelForCausalLM.from_pretrained("{base}")
tokenizer = AutoTokenizer.from_pretrained("./{folder}")
model = PeftModel.from_pretrained(base, "./{folder}")
```

vLLM:

```bash
vllm serve {base} --enable-lora --max-lora-rank {rank} --lora-modules {folder}=./{folder}
```

llama.cpp (convert the adapter to a GGUF LoRA against the base model's Hugging Face folder, or
use EasyTune's GGUF LoRA export):

```bash
python convert_lora_to_gguf.py ./{folder} --base PATH_TO_BASE_HF_FOLDER --outfile {folder}.gguf
llama-cli -m BASE_MODEL.gguf --lora {folder}.gguf
```
"""


def _sub(spec: dict[str, Any], key: str) -> dict[str, Any]:
    value = spec.get(key)
    return value if isinstance(value, dict) else {}


def _join(section: dict[str, Any], keys: tuple[str, ...], sep: str = " / ") -> str | None:
    values = [section.get(k) for k in keys]
    return (
        sep.join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
        if all(v is not None for v in values)
        else None
    )


SECTIONS: tuple[Callable[[CardFacts], str], ...] = (
    _base, _data, _plan, _metrics, _forgetting, _evaluation, _usage,
)  # fmt: skip
