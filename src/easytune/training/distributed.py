"""Data-parallel training under torchrun: DDP over gloo (CPU) or NCCL (CUDA).

torchrun starts `train.num_processes` copies of the training child and tells each its place
through RANK / WORLD_SIZE / LOCAL_RANK (its documented contract, read here and nowhere else).
Every rank trains on its own slice of each global batch; gradients are averaged by DDP.
Rank 0 alone writes progress, checkpoints and outputs; every rank resumes from the same
checkpoint, because the adapter and optimizer state are identical on all of them.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn

from easytune.training.data.template import IGNORE_INDEX
from easytune.training.loop import Batch, EpochBatches, LossFn, StepReport

BACKENDS = {"cpu": "gloo", "cuda": "nccl"}
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class DistContext:
    """This process's place in the run; world_size 1 means no torchrun, nothing to do."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes progress, checkpoints and outputs."""
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    def setup(self, device: str) -> str:
        """Join the process group (once per process); returns the device to train on."""
        if not self.enabled or torch.distributed.is_initialized():
            return device
        if device == "cuda":  # one visible GPU after pin_device(); else this rank's index
            torch.cuda.set_device(self.local_rank % torch.cuda.device_count())
        torch.distributed.init_process_group(BACKENDS[device])
        return device

    def wrap(self, model: nn.Module, device: str) -> nn.Module:
        """The module the loop runs forward/backward on: DDP when distributed."""
        if not self.enabled:
            return model
        ids = [torch.cuda.current_device()] if device == "cuda" else None
        return nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def shard(self, batches: EpochBatches[Any]) -> EpochBatches[Any]:
        """This rank's slice of every global batch (micro-batch size per process)."""
        if not self.enabled:
            return batches
        return ShardedBatches(batches, self.rank, self.world_size)

    def token_weighted(self, loss_fn: LossFn) -> LossFn:
        """A token-mean loss weighted by this rank's share of the global batch's labelled
        tokens, so that DDP's mean over ranks is the mean over all tokens, as one process with
        the whole batch computes it (ranks whose rows are shorter would otherwise count more).
        Every rank calls it once per micro-batch, in lockstep, like DDP's own all-reduce."""
        if not self.enabled:
            return loss_fn

        def weighted(model: nn.Module, batch: Batch) -> torch.Tensor:
            loss = loss_fn(model, batch)
            labels = batch.get("labels")
            if labels is None:
                return loss
            mine = (labels[:, 1:] != IGNORE_INDEX).sum().to(torch.float64)
            total = mine.clone()
            torch.distributed.all_reduce(total)
            share = mine * self.world_size / total.clamp(min=1)
            return loss * share.to(loss.dtype)

        return weighted

    def reduce(self, report: StepReport) -> StepReport:
        """The step as a whole: mean loss over ranks, tokens/s summed (all ranks call this)."""
        if not self.enabled:
            return report
        values = torch.tensor([report.loss, report.tokens_per_s], dtype=torch.float64)
        if torch.distributed.get_backend() == "nccl":
            values = values.cuda()
        torch.distributed.all_reduce(values)
        loss, tokens_per_s = values.tolist()
        return replace(report, loss=loss / self.world_size, tokens_per_s=tokens_per_s)

    def close(self) -> None:
        if self.enabled and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


def die_with_launcher() -> None:
    """Under torchrun: SIGKILL this rank when torchrun dies.

    torchrun starts each rank in a session of its own, so the worker's SIGKILL to torchrun's
    process group would not reach the ranks: they would train on as orphans next to the
    resumed attempt, holding GPUs.
    """
    if not current().enabled or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # torchrun died before the line above: nobody will reap this rank
        os._exit(1)


def pin_device() -> None:
    """Under torchrun: let this rank see only its own GPU, before CUDA starts.

    Then "cuda" means that GPU everywhere (model loading, autocast, the CF monitor) without
    threading an index through the engine. The worker sets CUDA_VISIBLE_DEVICES to the job's
    GPUs; without it, local rank i takes GPU i.
    """
    ctx = current()
    if not ctx.enabled:
        return
    visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")]
    ids = [v for v in visible if v] or [str(ctx.local_rank)]
    os.environ["CUDA_VISIBLE_DEVICES"] = ids[ctx.local_rank % len(ids)]


def current() -> DistContext:
    """This process's context from torchrun's environment (world size 1 without torchrun)."""
    return DistContext(
        rank=int(os.environ.get("RANK", "0")),
        world_size=int(os.environ.get("WORLD_SIZE", "1")),
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
    )


class ShardedBatches(EpochBatches[Any]):
    """Global batches of batch_size x world items in the single-process order, cut per rank.

    The same seed gives every rank the same shuffle, so a 2-process run with micro-batch b
    sees exactly the examples a 1-process run with micro-batch 2b sees, step by step. A short
    last batch is filled from the epoch's start (as DistributedSampler pads), so every rank
    takes the same number of steps and DDP's collectives stay in lockstep.
    """

    def __init__(self, inner: EpochBatches[Any], rank: int, world_size: int) -> None:
        super().__init__(
            inner.items, inner.batch_size, inner.collate, inner.seed, inner.shuffle, inner.lengths
        )
        self.rank, self.world_size = rank, world_size

    @property
    def global_batch(self) -> int:
        return self.batch_size * self.world_size

    @property
    def step_items(self) -> int:
        return self.global_batch

    def __len__(self) -> int:
        return math.ceil(len(self.items) / self.global_batch)

    def epoch(self, epoch: int, start: int = 0) -> Iterator[Batch]:
        order = self.order(epoch)
        for index in range(start, len(self)):
            chunk = order[index * self.global_batch : (index + 1) * self.global_batch]
            chunk += (order * self.global_batch)[: self.global_batch - len(chunk)]
            mine = chunk[self.rank * self.batch_size : (self.rank + 1) * self.batch_size]
            yield self.collate([self.items[i] for i in mine])
