"""The LoRA fine-tuning recipe: setup, train, save, cleanup, built from small functions.

`TrainRecipe(spec, progress).run()` trains an adapter from a TrainSpec and writes, under
`spec.output_dir`: `adapter/` (adapter_model.safetensors, adapter_config.json, tokenizer),
`train_spec.json`, `metrics.json`, `cf_report.json`, `eval_report.json`, `data_report.json`,
`progress.jsonl` and `checkpoints/`. Any failure raises an EngineError and leaves no final adapter.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from easytune.training import distributed, pipeline, reports
from easytune.training import messages as msg
from easytune.training.allocator import fix_mmap_threshold
from easytune.training.best import BestKeeper
from easytune.training.cf import DEFAULT_CACHE_LIMIT, CFMonitor, CFResult, reference_batches
from easytune.training.checkpoint import CheckpointManager, TrainState
from easytune.training.errors import BadDataError, BadSpecError, ForgettingStopError
from easytune.training.hardware import detect_hardware, host_memory_bytes, set_cpu_threads
from easytune.training.loop import LoopConfig, StepReport, Trainer, evaluate_loss
from easytune.training.methods import apply_adapter, check_methods, method_load_kwargs
from easytune.training.model import load_model
from easytune.training.optim import (
    base_dtype,
    build_optimizer,
    build_scaler,
    build_scheduler,
    check_precision,
    resolve_device,
)
from easytune.training.outputs import (
    load_checkpoint,
    save_checkpoint,
    write_final_adapter,
    write_json,
)
from easytune.training.preference import stage as preference
from easytune.training.progress import ProgressWriter
from easytune.training.retain import stage as retention
from easytune.training.retain.learned import LearnedScorer
from easytune.training.retain.replay import GenerationContext
from easytune.training.spec import TrainSpec
from easytune.training.swiglu import use_swiglu
from easytune.training.tokenloss import label_only_loss


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def quiet_libraries() -> None:
    """No library progress bars: progress is the engine's JSON lines."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def enable_checkpointing(model: Any) -> None:
    """Activation (gradient) checkpointing, non-reentrant so frozen inputs need no grad."""
    kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.20 name
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)


def spec_fingerprint(spec: TrainSpec) -> str:
    """What a checkpoint must agree on to be resumed: the spec, wherever its folder lives."""
    data = spec.model_dump(mode="json", exclude={"output_dir"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def total_steps(spec: TrainSpec, batches_per_epoch: int) -> int:
    """max_steps when set, else enough optimizer steps to cover `epochs` passes."""
    if spec.train.max_steps is not None:
        return spec.train.max_steps
    micro = spec.train.epochs * batches_per_epoch
    return max(1, math.ceil(micro / spec.train.gradient_accumulation)) if micro else 0


def every(configured: int | None, total: int, per_run: int) -> int:
    """A configured interval, else about `per_run` times over the run."""
    return configured if configured is not None else max(1, total // per_run)


class TrainRecipe:
    """One run of one spec. Call `run()`, or the four stages in order."""

    def __init__(
        self, spec: TrainSpec, progress: ProgressWriter, cache_dir: Path | None = None
    ) -> None:
        self.spec, self.progress, self.cache_dir = spec, progress, cache_dir
        self.out = Path(spec.output_dir)
        self.dist = distributed.current()  # torchrun's rank; world size 1 without it
        self.state = TrainState(spec_fingerprint=spec_fingerprint(spec))
        self.cf: CFMonitor | None = None
        self.scorer: LearnedScorer | None = None
        self.keeper = BestKeeper(
            self.out / "best",
            spec.cf.warn_threshold,
            spec.retain.enabled and spec.retain.best_checkpoint,
        )
        self.pref_loss = preference.build_loss(spec) if preference.is_preference(spec) else None
        self._cf_warned = False
        self._started = time.monotonic()
        self._last_save = time.monotonic()

    # ------------------------------------------------------------------ setup

    def setup(self) -> None:
        """Check the machine, load model and data, wrap the adapter, resume if possible."""
        spec = self.spec
        quiet_libraries()
        fix_mmap_threshold()
        self.out.mkdir(parents=True, exist_ok=True)
        self.device = self.dist.setup(resolve_device(spec.train.device))
        # One CPU process: as many threads as the machine has idle cores (torchrun's
        # processes split the cores themselves).
        self.threads = set_cpu_threads() if self.device == "cpu" and not self.dist.enabled else None
        check_precision(spec.train.precision, self.device)
        check_methods(spec.lora, detect_hardware())
        seed_everything(spec.train.seed)
        self._setup_model()
        self._setup_data()
        self._setup_optimizer()
        self.checkpoints = CheckpointManager(self.out / "checkpoints", spec.train.keep_checkpoints)
        self._setup_cf()
        self._resume()
        if self.dist.is_main:  # after the resume check accepted this folder
            spec.dump(self.out / "train_spec.json")

    def _setup_model(self) -> None:
        from easytune.training.data import ensure_chat_template

        spec = self.spec
        dtype = base_dtype(spec.train.precision, self.device)
        extra = method_load_kwargs(spec.lora, dtype)
        model, self.tokenizer = load_model(
            spec.base_model,
            dtype=dtype,
            device=self.device,
            load_kwargs=extra,
            cache_dir=self.cache_dir,
        )
        self.eos_token = ensure_chat_template(self.tokenizer)
        self._fit_embeddings(model)
        model.config.use_cache = False
        use_swiglu(model)
        if spec.train.gradient_checkpointing:
            enable_checkpointing(model)
        self.model = apply_adapter(
            model, spec.lora, gradient_checkpointing=spec.train.gradient_checkpointing
        )
        trainable = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        self.progress.event(
            "info",
            msg.MODEL_LOADED(),
            model_type=model.config.model_type,
            device=self.device,
            trainable_params=trainable,
            eos_token=self.eos_token,
            cpu_threads=self.threads,
        )

    def _fit_embeddings(self, model: Any) -> None:
        # ensure_chat_template adds ChatML tokens to a tokenizer without a template.
        rows = model.get_input_embeddings().weight.shape[0]
        if len(self.tokenizer) > rows:
            model.resize_token_embeddings(len(self.tokenizer))
            self.progress.event(
                "warn",
                msg.NO_CHAT_TEMPLATE(),
                added_tokens=len(self.tokenizer) - rows,
            )

    def _setup_data(self) -> None:
        spec = self.spec
        if self.pref_loss is not None:
            self.data = preference.build_data(spec, self.tokenizer)
        else:
            self.data = self._sft_data()
        self.data.train = self.dist.shard(self.data.train)
        self.scorer = retention.build_scorer(spec, self.data.eval_examples, self.tokenizer)
        if self.dist.is_main:
            write_json(self.out / "data_report.json", self.data.report)
        self.progress.event(
            "info",
            msg.DATA_READY(),
            examples=self.data.train_examples,
            dropped=self.data.dropped,
            truncated=self.data.truncated,
            packed=self.data.packed,
            replayed=self.data.replayed,
            batches_per_epoch=len(self.data.train),
        )

    def _sft_data(self) -> pipeline.PreparedData:
        spec = self.spec
        pack = spec.data.packing and pipeline.packing_supported(self.model)
        if pack:
            from easytune.training.data import prepare_model_for_packing

            prepare_model_for_packing(self.model)
        replay = retention.build_replay(spec, self._generation(), self.progress)
        return pipeline.prepare_data(spec.data, self.tokenizer, spec.train.batch_size, pack, replay)

    def _generation(self) -> GenerationContext:
        return GenerationContext(
            self.model, self.tokenizer, self.eos_token, self.device, self.spec.train.precision
        )

    def _setup_optimizer(self) -> None:
        train = self.spec.train
        self.total = total_steps(self.spec, len(self.data.train))
        self.optimizer = build_optimizer(
            self.model, train.learning_rate, train.weight_decay,
            paged=self.spec.lora.quantization == "4bit",
        )  # fmt: skip
        self.scheduler = build_scheduler(
            self.optimizer, train.lr_scheduler, self.total, train.warmup_ratio
        )
        self.scaler = build_scaler(train.precision, self.device)
        self.eval_every = every(train.eval_every_steps, self.total, 5)
        self.save_every = every(train.save_every_steps, self.total, 10)

    def _setup_cf(self) -> None:
        if not self.spec.cf.enabled:
            return
        from easytune.training.reference import ReferenceSetError, load_reference_set

        try:
            items = load_reference_set(self.spec.cf.retain_path, max_items=self.spec.cf.max_items)
        except ReferenceSetError as exc:
            raise BadDataError(
                f"the CF retain set is unusable: {exc}",
                param="cf.retain_path",
                data={"errors": exc.problems},
            ) from exc
        batches = reference_batches(items, self.tokenizer)
        # The base log-probs live in host memory: at most an eighth of what is free.
        limit = min(DEFAULT_CACHE_LIMIT, host_memory_bytes() // 8)
        self.cf = CFMonitor(
            self.model,
            batches,
            precision=self.spec.train.precision,
            device=self.device,
            cache_limit_bytes=limit,
        )
        self.cf.start()

    def _resume(self) -> None:
        latest = self.checkpoints.latest()
        if latest is None:
            cf = self._record_cf(self.state)
            if cf is not None:
                self.progress.metric(
                    step=0, epoch=0.0, cf_score=cf.score, ppl_ratio=cf.ppl_ratio, kl=cf.kl
                )
            self._record_point(self.state, cf.score if cf is not None else None, None)
            return
        saved = CheckpointManager.read_state(latest).spec_fingerprint
        if saved != self.state.spec_fingerprint:
            raise BadSpecError(
                f"{latest.parent} holds checkpoints of a different spec: resuming would mix "
                "two runs; use a new output_dir, or delete the checkpoints folder to start over",
                param="output_dir",
            )
        self.state = load_checkpoint(
            latest, self.model, self.optimizer, self.scheduler, self.scaler
        )
        self.progress.event(
            "info",
            msg.RESUMED(checkpoint=latest.name),
            step=self.state.step,
            checkpoint=str(latest),
        )

    # ------------------------------------------------------------------ train

    def train(self) -> None:
        """Run the loop to the last step (or an early stop)."""
        config = LoopConfig(
            self.total,
            self.spec.train.gradient_accumulation,
            self.spec.train.max_grad_norm,
            self.spec.train.precision,
            self.device,
        )
        self.progress.event(
            "info", msg.STARTED(), total_steps=self.total, start_step=self.state.step
        )
        model = self.dist.wrap(self.model, self.device)
        trainer = Trainer(
            model,
            self.optimizer,
            self.scheduler,
            config,
            self.scaler,
            loss_fn=self.pref_loss or self.dist.token_weighted(retention.loss_for(self.spec)),
        )
        self._started = time.monotonic() - self.state.elapsed_s
        if self.state.step < self.total:
            trainer.run(self.data.train, self.state, self._after_step)

    def _after_step(self, state: TrainState, report: StepReport) -> bool:
        report = self.dist.reduce(report)
        state.elapsed_s = time.monotonic() - self._started
        epoch = state.epoch + state.batch_index / max(len(self.data.train), 1)
        row: dict[str, Any] = {
            "step": state.step,
            "epoch": round(epoch, 4),
            "loss": report.loss,
            "lr": report.lr,
            "tokens_per_s": round(report.tokens_per_s, 1),
        }
        if self.pref_loss is not None:  # this step's reward margin, accuracy and log-probs
            row.update(self.pref_loss.take_metrics())
        stop = False
        if state.step % self.eval_every == 0 or state.step == self.total:
            stop = self._evaluate(state, row)
        self.progress.metric(**row)
        state.history.append(row)
        if stop or self._checkpoint_due(state):
            self._save_checkpoint(state)
        return stop

    def _evaluate(self, state: TrainState, row: dict[str, Any]) -> bool:
        """Eval loss, CF and learned score at this step; True when early stopping says stop."""
        cf = self._record_cf(state)
        if cf is not None:
            row.update(cf_score=cf.score, ppl_ratio=cf.ppl_ratio, kl=cf.kl)
        loss = None
        if self.pref_loss is not None:
            row.update(preference.eval_row(self.pref_loss, self.model, self.data))
            loss = row.get("eval_loss")
        elif self.data.eval is not None:
            loss = evaluate_loss(
                self.model,
                self.data.eval.epoch(0),
                self.spec.train.precision,
                self.device,
                label_only_loss,
            )
            row["eval_loss"] = loss
        self._record_point(state, cf.score if cf is not None else None, loss)
        return loss is not None and self._early_stop(state, loss)

    def _record_point(self, state: TrainState, cf: float | None, loss: float | None) -> None:
        """One evaluation for best-checkpoint selection (the learned score answered here)."""
        gen = self._generation()
        point = retention.evaluation_point(state.step, cf, loss, self.scorer, gen, self.progress)
        self.keeper.record(state, point, self.model)

    def _early_stop(self, state: TrainState, loss: float) -> bool:
        if state.best_eval_loss is None or loss < state.best_eval_loss:
            state.best_eval_loss, state.evals_without_improvement = loss, 0
            return False
        state.evals_without_improvement += 1
        patience = self.spec.train.early_stopping_patience
        if patience is not None and state.evals_without_improvement >= patience:
            self.progress.event(
                "info",
                msg.EARLY_STOP(patience=patience),
                step=state.step,
            )
            return True
        return False

    def _record_cf(self, state: TrainState) -> CFResult | None:
        if self.cf is None:
            return None
        result = self.cf.measure(state.step)
        state.cf_history.append(result.to_dict())
        self._check_cf(result)
        return result

    def _check_cf(self, result: CFResult) -> None:
        cf = self.spec.cf
        bad = not math.isfinite(result.score)
        if (bad or result.score > cf.warn_threshold) and not self._cf_warned:
            self._cf_warned = True
            self.progress.event(
                "warn",
                msg.FORGETTING(score=f"{result.score:.3f}", threshold=cf.warn_threshold),
                **result.to_dict(),
            )
        if cf.stop_threshold is not None and (bad or result.score > cf.stop_threshold):
            raise ForgettingStopError(
                f"CF score {result.score:.3f} passed cf.stop_threshold {cf.stop_threshold} at "
                f"step {result.step}: lower train.learning_rate, lora.r or train.epochs, add "
                "general data, or raise cf.stop_threshold",
                param="cf.stop_threshold",
                data=result.to_dict(),
            )

    def _checkpoint_due(self, state: TrainState) -> bool:
        minutes = (time.monotonic() - self._last_save) / 60
        return (
            state.step % self.save_every == 0
            or state.step == self.total
            or minutes >= self.spec.train.save_every_minutes
        )

    def _save_checkpoint(self, state: TrainState) -> None:
        if not self.dist.is_main:
            return
        path = save_checkpoint(
            self.checkpoints, state, self.model, self.optimizer, self.scheduler, self.scaler
        )
        self._last_save = time.monotonic()
        self.progress.event(
            "info",
            msg.CHECKPOINT_SAVED(checkpoint=path.name),
            step=state.step,
            checkpoint=str(path),
        )

    # ------------------------------------------------------------------ save

    def save(self) -> dict[str, Any]:
        """Keep the chosen evaluation's adapter, verify and write it, the reports and the result
        (rank 0 alone under torchrun)."""
        if not self.dist.is_main:
            return {}
        choice = self.keeper.restore(self.state, self.model)
        chosen = retention.summary(
            choice, self.keeper.points(self.state), self.spec.cf.warn_threshold
        )
        adapter_dir = write_final_adapter(self.model, self.tokenizer, self.out / "adapter")
        self.keeper.cleanup()
        metrics = {**reports.metrics_summary(self.state, self.total), **chosen}
        write_json(self.out / "metrics.json", metrics)
        tokens = self.cf.tokens if self.cf is not None else 0
        write_json(
            self.out / "cf_report.json",
            reports.cf_report(self.spec.cf, tokens, self.state.cf_history),
        )
        last_cf = self.state.cf_history[-1] if self.state.cf_history else None
        result = {
            "adapter_dir": str(adapter_dir),
            "steps": self.state.step,
            "metrics": {k: v for k, v in metrics.items() if k not in ("history", "selection")},
            "cf": last_cf,
            **chosen,
            **self._evaluation_outcome(),  # after `chosen`: unsafe wins over forgot
        }
        reports.announce_choice(self.progress, chosen)
        self.progress.result(**result)
        return result

    def _evaluation_outcome(self) -> dict[str, Any]:
        """Write eval_report.json beside the adapter; `outcome: unsafe` when it flags safety."""
        from easytune.training.evaluation.stage import outcome_fields, run_report

        report = run_report(
            self.spec.evaluation, self.model, self.tokenizer, self.data.eval_examples,
            self.progress, self.out,
        )  # fmt: skip
        return outcome_fields(report)

    # ------------------------------------------------------------------ cleanup

    def cleanup(self) -> None:
        """Drop the model and free device memory (the progress writer belongs to the caller)."""
        for name in ("model", "optimizer", "scheduler", "cf"):
            if hasattr(self, name):
                setattr(self, name, None)
        # A full collection costs most of a second on a transformers model graph; it only pays
        # off where it hands GPU memory back (host memory returns when the process exits).
        if getattr(self, "device", "cpu") == "cuda":
            gc.collect()
            torch.cuda.empty_cache()
        self.dist.close()

    def run(self) -> dict[str, Any]:
        try:
            self.setup()
            self.train()
            return self.save()
        finally:
            self.cleanup()
