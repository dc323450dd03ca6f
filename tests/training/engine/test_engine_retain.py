"""Retention on the tiny model: replay generated once and reused, the KL anchor, best
checkpoint selection, the `forgot` outcome, and a crash-resume that keeps the best so far."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from easytune.training.data import PackingCollator, PaddingCollator, TokenizedExample
from easytune.training.methods import apply_adapter
from easytune.training.model import load_model
from easytune.training.progress import ProgressWriter, read_progress
from easytune.training.recipe import TrainRecipe
from easytune.training.retain import replay as replay_module
from easytune.training.retain.kl import KLAnchoredLoss, replay_kl
from easytune.training.spec import LoraSpec, TrainSpec

from .conftest import LLAMA_TARGETS


def retain(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "enabled": True,
        "replay_ratio": 0.5,
        "max_new_tokens": 8,
        "cache_dir": str(tmp_path / "replay-cache"),
        "score_examples": 2,
        **extra,
    }


def run(spec: TrainSpec, listener: Any = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    progress = ProgressWriter(spec.output_dir, stream=None)
    if listener is not None:
        progress.listeners.append(listener)
    try:
        result = TrainRecipe(spec, progress).run()
    finally:
        progress.close()
    return result, read_progress(Path(spec.output_dir) / "progress.jsonl")


def events(lines: list[dict[str, Any]]) -> list[str]:
    return [line["message"] for line in lines if line["type"] == "event"]


def data_ready(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return next(line["data"] for line in lines if line.get("message") == "data ready")


@pytest.mark.slow
def test_replay_is_generated_once_per_base_and_reused(make_spec, tmp_path, monkeypatch):
    first, lines = run(make_spec(retain=retain(tmp_path), output_dir=str(tmp_path / "a")))
    assert any(m.startswith("replay generated in ") for m in events(lines))
    assert data_ready(lines)["replayed"] == 22  # ceil(0.5 x 43 training examples)
    cached = list((tmp_path / "replay-cache").glob("replay-*.json"))
    assert len(cached) == 1

    def no_generation(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a cached base model must not generate its replay set again")

    monkeypatch.setattr(replay_module, "greedy_answers", no_generation)
    second, lines = run(make_spec(retain=retain(tmp_path), output_dir=str(tmp_path / "b")))
    assert "replay from cache" in events(lines)
    assert data_ready(lines)["replayed"] == 22
    assert second["outcome"] in ("ok", "forgot") and first["steps"] == second["steps"] == 6


def _peft_model(model_dir: Path) -> Any:
    model, tokenizer = load_model(
        type("Ref", (), {"path": str(model_dir), "gguf_file": None})(),
        dtype=torch.float32,
        device="cpu",
    )
    lora = LoraSpec(target_modules=LLAMA_TARGETS, r=4, alpha=8, dropout=0.0)
    return apply_adapter(model, lora, gradient_checkpointing=False), tokenizer


def _replay_batch() -> dict[str, torch.Tensor]:
    user = TokenizedExample([5, 6, 7, 8, 9], [-100, -100, 7, 8, 9])
    replayed = TokenizedExample([5, 11, 12, 13, 14, 15], [-100, -100, 12, 13, 14, 15], replay=True)
    return PaddingCollator(0)([user, replayed])


def test_the_kl_anchor_is_zero_at_step_0_and_positive_after_an_update(tiny_llama_dir):
    torch.manual_seed(0)
    model, _ = _peft_model(tiny_llama_dir)
    batch = _replay_batch()
    assert batch["replay_mask"].tolist() == [[0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1]]
    # LoRA's B matrices start at zero: the adapted model is the base, so the anchor is 0.
    assert float(replay_kl(model, batch).detach()) == pytest.approx(0.0, abs=1e-7)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    loss = KLAnchoredLoss(0.5)(model, batch)
    loss.backward()
    optimizer.step()
    assert float(replay_kl(model, batch).detach()) > 1e-6
    no_replay = PaddingCollator(0)([TokenizedExample([5, 6, 7], [-100, 6, 7])])
    assert "replay_mask" not in no_replay and float(replay_kl(model, no_replay).detach()) == 0.0


def _full_logits_kl(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """The anchor as first written: full logits of every row, adapted and base."""
    inputs = {k: v for k, v in batch.items() if k not in ("labels", "replay_mask")}
    positions = batch["replay_mask"][:, 1:].bool()
    adapted = torch.log_softmax(model(**inputs).logits[:, :-1][positions].float(), dim=-1)
    with torch.no_grad(), model.disable_adapter():
        base = torch.log_softmax(model(**inputs).logits[:, :-1][positions].float(), dim=-1)
    return torch.nn.functional.kl_div(adapted, base, log_target=True, reduction="batchmean")


def test_the_label_only_anchor_equals_the_full_logits_one(tiny_llama_dir):
    """Base pass on replay rows only, cut after the last replayed token, projected only there:
    the same KL and the same total loss as full logits everywhere."""
    torch.manual_seed(0)
    model, _ = _peft_model(tiny_llama_dir)
    user = TokenizedExample([5, 6, 7, 8, 9, 10, 11, 12], [-100, -100, 7, 8, 9, 10, 11, 12])
    replayed = TokenizedExample([5, 11, 12, 13], [-100, -100, 12, 13], replay=True)
    batch = PaddingCollator(0)([user, replayed, user])
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    KLAnchoredLoss(0.5)(model, batch).backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        expected = _full_logits_kl(model, batch)
        assert float(expected) > 1e-6
        assert float(replay_kl(model, batch)) == pytest.approx(float(expected), rel=1e-4)
        plain = {k: v for k, v in batch.items() if k != "replay_mask"}
        total = float(model(**plain).loss) + 0.5 * float(expected)
        assert float(KLAnchoredLoss(0.5)(model, batch)) == pytest.approx(total, rel=1e-4)


def test_packed_rows_carry_the_replay_mask_past_each_examples_first_token() -> None:
    a = TokenizedExample([1, 2, 3], [-100, 2, 3])
    b = TokenizedExample([4, 5, 6], [4, 5, 6], replay=True)
    batch = PackingCollator()([a, b])
    assert batch["replay_mask"].tolist() == [[0, 0, 0, 0, 1, 1]]
    assert batch["labels"].tolist() == [[-100, 2, 3, -100, 5, 6]]


@pytest.mark.slow
def test_training_with_the_kl_anchor_runs_and_keeps_the_chosen_steps_adapter(make_spec, tmp_path):
    spec = make_spec(
        retain=retain(tmp_path, kl_weight=1.0),
        train={"eval_every_steps": 2, "save_every_steps": 2, "keep_checkpoints": 10},
        cf={"warn_threshold": 10.0},
    )
    result, lines = run(spec)
    assert result["outcome"] == "ok" and result["steps"] == 6
    selection = result["selection"]
    assert [e["step"] for e in selection["evaluations"]] == [0, 2, 4, 6]
    chosen = result["chosen_step"]
    assert chosen == selection["step"] and "under the forgetting threshold" in selection["reason"]
    final = load_file(Path(result["adapter_dir"]) / "adapter_model.safetensors")
    saved = load_file(
        Path(spec.output_dir) / f"checkpoints/step-{chosen:06d}/adapter_model.safetensors"
    )
    for name in final:
        torch.testing.assert_close(final[name], saved[name])
    assert not (Path(spec.output_dir) / "best").exists()
    assert any(m.startswith(f"kept the adapter of step {chosen}") for m in events(lines))


@pytest.mark.slow
def test_a_harsh_plan_succeeds_with_outcome_forgot_and_a_sentence(make_spec, tmp_path):
    spec = make_spec(
        retain=retain(tmp_path, replay_ratio=0.0),
        train={"learning_rate": 0.3, "eval_every_steps": 2},
        cf={"warn_threshold": 1e-4},
    )
    result, lines = run(spec)
    assert result["outcome"] == "forgot"
    message = result["outcome_message"]
    assert message.startswith("Learned: on held-out examples") and "Lost:" in message
    assert "smaller train.learning_rate" in message and "retain.replay_ratio" in message
    assert "no evaluation was under the forgetting threshold" in result["selection"]["reason"]
    assert Path(result["adapter_dir"], "adapter_model.safetensors").is_file()
    kept = [line for line in lines if line.get("message", "").startswith("kept the adapter")]
    assert kept and kept[0]["level"] == "warn"


class Crash(Exception):
    pass


@pytest.mark.slow
def test_the_best_so_far_survives_a_crash_and_resume(make_spec, tmp_path):
    sections = {
        "retain": retain(tmp_path),
        "train": {"max_steps": 8, "eval_every_steps": 2, "save_every_steps": 4},
        "cf": {"warn_threshold": 10.0},
    }

    def crash_after_step_4(line: dict[str, Any]) -> None:
        if line.get("message") == "checkpoint step-000004 saved":
            raise Crash

    crashed = make_spec(output_dir=str(tmp_path / "crashed"), **sections)
    with pytest.raises(Crash):
        run(crashed, crash_after_step_4)
    assert list((tmp_path / "crashed" / "best").glob("step-*"))
    resumed, lines = run(crashed)
    assert any(m.startswith("resumed from checkpoint step-000004") for m in events(lines))
    straight, _ = run(make_spec(output_dir=str(tmp_path / "straight"), **sections))
    assert resumed["selection"]["evaluations"] == straight["selection"]["evaluations"]
    assert resumed["chosen_step"] == straight["chosen_step"]
    a = load_file(tmp_path / "crashed" / "adapter" / "adapter_model.safetensors")
    b = load_file(tmp_path / "straight" / "adapter" / "adapter_model.safetensors")
    for name in b:
        torch.testing.assert_close(a[name], b[name], rtol=1e-4, atol=1e-6)
