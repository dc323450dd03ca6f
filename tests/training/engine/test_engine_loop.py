"""The loop, schedules, checkpoints and the CF monitor on their own, with plain tensor batches."""
# mypy: disable-error-code="func-returns-value,arg-type"
# Callbacks written as lambdas; reference batches typed as the collator returns them.

from __future__ import annotations

import pytest
import torch

from easytune.testing.tiny import build_model
from easytune.training.cf import CFMonitor, cf_score, reference_batches
from easytune.training.checkpoint import COMPLETE, CheckpointManager, TrainState
from easytune.training.errors import NonFiniteLossError, NoStepsError
from easytune.training.loop import EpochBatches, LoopConfig, Trainer, micro_batches
from easytune.training.methods import apply_adapter
from easytune.training.optim import build_optimizer, build_scheduler, lr_factor
from easytune.training.spec import LoraSpec

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
REFERENCE = [
    {"text": "The quick brown fox jumps over the lazy dog. Paris is the capital of France."},
    {
        "messages": [
            {"role": "user", "content": "Explain what a neural network is."},
            {"role": "assistant", "content": "A function built from layers."},
        ]
    },
    {"text": "def add(a, b):\n    return a + b\n"},
    {"text": "请用一句话解释什么是机器学习。"},
]


def _collate_text(tokenizer):
    def collate(texts):
        enc = tokenizer(texts, padding=True, return_tensors="pt")
        labels = enc.input_ids.masked_fill(enc.attention_mask == 0, -100)
        return {"input_ids": enc.input_ids, "attention_mask": enc.attention_mask, "labels": labels}

    return collate


def _peft_model(tokenizer, seed=0):
    torch.manual_seed(seed)
    model = build_model("llama", vocab_size=len(tokenizer), seed=seed)
    return apply_adapter(model, LoraSpec(target_modules=TARGETS, dropout=0.0, r=8, alpha=16))


def _train(model, source, lr, steps, schedule="constant"):
    optimizer = build_optimizer(model, lr, 0.0)
    scheduler = build_scheduler(optimizer, schedule, steps, 0.0)
    trainer = Trainer(model, optimizer, scheduler, LoopConfig(total_steps=steps))
    losses = []
    trainer.run(source, TrainState(), lambda state, report: losses.append(report.loss) or False)
    return losses


def test_epoch_batches_replay_and_skip():
    source = EpochBatches(list(range(10)), 3, lambda items: {"x": torch.tensor(items)}, seed=1)
    assert len(source) == 4
    first = [b["x"].tolist() for b in source.epoch(0)]
    assert [b["x"].tolist() for b in source.epoch(0)] == first
    assert [b["x"].tolist() for b in source.epoch(0, start=2)] == first[2:]
    assert [b["x"].tolist() for b in source.epoch(1)] != first
    state = TrainState(epoch=0, batch_index=3)
    stream = micro_batches(source, state)
    assert next(stream)["x"].tolist() == first[3]
    next(stream)
    assert (state.epoch, state.batch_index) == (1, 1)


def test_schedules_warm_up_then_decay():
    assert lr_factor(0, 100, 10, "cosine") < lr_factor(9, 100, 10, "cosine") <= 1.0
    assert lr_factor(10, 100, 10, "cosine") == pytest.approx(1.0)
    assert lr_factor(55, 100, 10, "cosine") == pytest.approx(0.5)
    assert lr_factor(55, 100, 10, "linear") == pytest.approx(0.5)
    assert lr_factor(99, 100, 10, "constant") == 1.0


def test_gradient_accumulation_consumes_micro_batches(tiny_tokenizer):
    model = _peft_model(tiny_tokenizer)
    source = EpochBatches(["add 1 and 2"] * 8, 2, _collate_text(tiny_tokenizer))
    optimizer = build_optimizer(model, 1e-3, 0.0)
    trainer = Trainer(
        model,
        optimizer,
        build_scheduler(optimizer, "linear", 3, 0.0),
        LoopConfig(total_steps=3, gradient_accumulation=2),
    )
    state = trainer.run(source, TrainState(), lambda s, r: False)
    assert state.step == 3 and (state.epoch, state.batch_index) == (1, 2)


def test_loss_goes_down_on_repeated_data(tiny_tokenizer):
    model = _peft_model(tiny_tokenizer)
    source = EpochBatches(["def add(a, b): return a + b"] * 8, 4, _collate_text(tiny_tokenizer))
    losses = _train(model, source, 1e-2, 12)
    assert losses[-1] < losses[0] - 0.5


def test_nan_guard_stops_a_diverging_run(tiny_tokenizer):
    model = _peft_model(tiny_tokenizer)
    source = EpochBatches(["0 1 2 3 4 5 6 7 8 9"] * 8, 4, _collate_text(tiny_tokenizer))
    with pytest.raises(NonFiniteLossError, match="learning rate") as info:
        _train(model, source, 1e4, 30)
    assert info.value.data["step"] <= 30


def test_no_batches_is_zero_steps(tiny_tokenizer):
    model = _peft_model(tiny_tokenizer)
    with pytest.raises(NoStepsError):
        _train(model, EpochBatches([], 4, _collate_text(tiny_tokenizer)), 1e-3, 5)


def test_checkpoints_are_atomic_and_pruned(tmp_path):
    manager = CheckpointManager(tmp_path / "checkpoints", keep=2)
    for step in (2, 4, 6):
        manager.save(step, lambda folder: (folder / "w.txt").write_text("x"), TrainState(step))
    assert [p.name for p in manager.complete()] == ["step-000004", "step-000006"]
    # A crash mid-write leaves a temporary folder or a step folder without the marker.
    (tmp_path / "checkpoints" / "tmp-dead").mkdir()
    (tmp_path / "checkpoints" / "step-000008").mkdir()
    latest = manager.latest()
    assert latest is not None and latest.name == "step-000006"
    assert (latest / COMPLETE).read_text() == "6"
    assert CheckpointManager.read_state(latest).step == 6


def test_cf_monitor_harsh_run_scores_above_gentle(tiny_tokenizer):
    unrelated = EpochBatches(
        ["0 1 2 3 4 5 6 7 8 9 10 100 1000"] * 8, 4, _collate_text(tiny_tokenizer)
    )
    reference = reference_batches(REFERENCE, tiny_tokenizer)
    scores = {}
    for name, lr in (("gentle", 1e-5), ("harsh", 5e-2)):
        model = _peft_model(tiny_tokenizer)
        monitor = CFMonitor(model, reference)
        monitor.start()
        at_start = monitor.measure(0)
        assert at_start.score == pytest.approx(0.0, abs=1e-6)  # LoRA starts as the identity
        _train(model, unrelated, lr, 25)
        scores[name] = monitor.measure(25)
    assert scores["harsh"].score > 20 * max(scores["gentle"].score, 1e-4)
    assert scores["harsh"].kl > scores["gentle"].kl
    assert cf_score(1.2, 0.05) == pytest.approx(0.25) and cf_score(0.9, 0.05) == 0.05


def test_cf_monitor_without_cache_gives_the_same_numbers(tiny_tokenizer):
    model = _peft_model(tiny_tokenizer)
    reference = reference_batches(REFERENCE, tiny_tokenizer)
    cached, uncached = CFMonitor(model, reference), CFMonitor(model, reference, cache_limit_bytes=0)
    cached.start()
    uncached.start()
    unrelated = EpochBatches(["0 1 2 3"] * 4, 4, _collate_text(tiny_tokenizer))
    _train(model, unrelated, 5e-2, 5)
    assert cached.measure(5).score == pytest.approx(uncached.measure(5).score, rel=1e-4)


def test_total_steps_from_epochs_or_max_steps(make_spec):
    from easytune.training.recipe import every, total_steps

    spec = make_spec(train={"max_steps": None, "epochs": 1.5, "gradient_accumulation": 2})
    assert total_steps(spec, 10) == 8  # ceil(1.5 * 10 / 2)
    assert total_steps(make_spec(train={"max_steps": 7}), 10) == 7
    assert every(None, 100, 10) == 10 and every(None, 3, 10) == 1 and every(4, 100, 10) == 4


def test_module_entry_point_usage():
    from easytune.training.__main__ import main

    assert main([]) == 2 and main(["train", "x.json"]) == 2


def _no_collate(items: list[int]) -> dict[str, torch.Tensor]:
    return {"ids": torch.tensor(items)}


def test_length_grouping_pads_less_and_still_shuffles() -> None:
    """Each epoch holds every row once, the same epoch gives the same order (resume), batches
    hold rows of similar length, and different epochs mix different rows into a batch."""
    gen = torch.Generator().manual_seed(3)
    lengths = [int(x) for x in torch.randint(20, 200, (50,), generator=gen)]
    plain = EpochBatches(list(range(50)), 8, _no_collate, seed=1)
    grouped = EpochBatches(list(range(50)), 8, _no_collate, seed=1, lengths=lengths)

    def padded(source: EpochBatches[int], epoch: int) -> int:
        order, size = source.order(epoch), source.batch_size
        batches = [order[i : i + size] for i in range(0, len(order), size)]
        return sum(max(lengths[i] for i in b) * len(b) for b in batches)

    for epoch in range(3):
        order = grouped.order(epoch)
        assert sorted(order) == list(range(50)) and order == grouped.order(epoch)
        assert order[48:] == plain.order(epoch)[48:]  # the short last batch stays last
    assert sum(padded(grouped, e) for e in range(3)) < 0.8 * sum(padded(plain, e) for e in range(3))
    first, second = grouped.order(0), grouped.order(1)
    assert {frozenset(first[i : i + 8]) for i in range(0, 48, 8)} != {
        frozenset(second[i : i + 8]) for i in range(0, 48, 8)
    }
