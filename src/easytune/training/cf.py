"""The catastrophic-forgetting (CF) monitor.

On a small reference set (general prompts and text shipped with the project, or the user's
retain set) it compares the adapted model with the base model, which is the same weights with
the adapter disabled (peft's `disable_adapter()`):

- ppl_ratio = exp(mean NLL adapted) / exp(mean NLL base), over every reference token;
- kl = mean over tokens of KL(base || adapted) of the next-token distributions (nats);
- score = max(ppl_ratio - 1, 0) + kl.

0 means "behaves like the base"; 0.1 is e.g. 10% higher perplexity, or 0.1 nats of drift per
token. Getting better on the reference set is not rewarded, drift still counts through kl.
The base log-probabilities are computed once at the start and kept (up to
`cache_limit_bytes`), so each later measurement costs one forward pass of the adapted model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from easytune.training.loop import Batch, autocast, to_device

DEFAULT_CACHE_LIMIT = 1024**3
REFERENCE_MAX_TOKENS = 256
REFERENCE_BATCH = 8


@dataclass(frozen=True)
class CFResult:
    step: int
    ppl_ratio: float
    kl: float
    score: float
    base_ppl: float
    adapted_ppl: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def cf_score(ppl_ratio: float, kl: float) -> float:
    """The documented combination: perplexity increase (never a decrease) plus mean KL."""
    return max(ppl_ratio - 1.0, 0.0) + kl


def item_text(item: dict[str, Any], tokenizer: Any) -> str:
    """A reference item as text: chat messages through the chat template, else its text."""
    if "messages" in item:
        text: str = tokenizer.apply_chat_template(item["messages"], tokenize=False)
        return text
    return str(item["text"])


def reference_batches(
    items: list[dict[str, Any]],
    tokenizer: Any,
    max_tokens: int = REFERENCE_MAX_TOKENS,
    batch_size: int = REFERENCE_BATCH,
) -> list[Batch]:
    """Tokenise reference items into right-padded batches (every real token is scored)."""
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    encoded = [
        tokenizer(
            item_text(item, tokenizer),
            add_special_tokens=False,
            truncation=True,
            max_length=max_tokens,
        )["input_ids"]
        for item in items
    ]
    encoded = [ids for ids in encoded if len(ids) >= 2]
    batches = []
    for start in range(0, len(encoded), batch_size):
        chunk = encoded[start : start + batch_size]
        width = max(len(ids) for ids in chunk)
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, seq in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
            mask[row, : len(seq)] = 1
        batches.append({"input_ids": ids, "attention_mask": mask})
    return batches


def _log_probs(
    model: nn.Module, batch: Batch, precision: str, device: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(log-probs at scored positions [n, V] in fp32, their target ids [n])."""
    with autocast(precision, device):
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    valid = batch["attention_mask"][:, 1:].bool()
    scored = logits[:, :-1][valid].float()
    return F.log_softmax(scored, dim=-1), batch["input_ids"][:, 1:][valid]


def _exp(value: float) -> float:
    # A wrecked model can have a mean NLL in the hundreds; report inf rather than crash.
    return math.exp(value) if value < 700 else float("inf")


class CFMonitor:
    """Measures forgetting of a peft model against itself with the adapter disabled."""

    def __init__(
        self,
        model: Any,
        batches: list[Batch],
        *,
        precision: str = "fp32",
        device: str = "cpu",
        cache_limit_bytes: int = DEFAULT_CACHE_LIMIT,
    ) -> None:
        self.model, self.precision, self.device = model, precision, device
        self.batches = [to_device(b, device) for b in batches]
        self.cache_limit_bytes = cache_limit_bytes
        self._base: list[torch.Tensor] | None = None
        self._base_nll = 0.0
        self._tokens = sum(int(b["attention_mask"][:, 1:].sum()) for b in self.batches)

    @property
    def tokens(self) -> int:
        return self._tokens

    def _cache_fits(self) -> bool:
        vocab = int(self.model.get_output_embeddings().weight.shape[0])
        return self._tokens * vocab * 4 <= self.cache_limit_bytes

    def _base_log_probs(self, index: int) -> torch.Tensor:
        if self._base is not None:
            return self._base[index].to(self.device)
        with self.model.disable_adapter():
            return _log_probs(self.model, self.batches[index], self.precision, self.device)[0]

    @torch.no_grad()
    def start(self) -> None:
        """Measure the base once (adapter disabled); cache its log-probs if they fit."""
        keep = self._cache_fits()
        cached, nll = [], 0.0
        was_training = self.model.training
        self.model.eval()
        with self.model.disable_adapter():
            for batch in self.batches:
                log_probs, targets = _log_probs(self.model, batch, self.precision, self.device)
                nll -= float(log_probs.gather(1, targets[:, None]).sum())
                if keep:
                    cached.append(log_probs.cpu())
        self.model.train(was_training)
        self._base = cached if keep else None
        self._base_nll = nll

    @torch.no_grad()
    def measure(self, step: int) -> CFResult:
        """Compare the adapted model with the base on the reference batches."""
        if self._tokens == 0:
            return CFResult(step, 1.0, 0.0, 0.0, float("nan"), float("nan"))
        was_training = self.model.training
        self.model.eval()
        nll, kl = 0.0, 0.0
        for index, batch in enumerate(self.batches):
            adapted, targets = _log_probs(self.model, batch, self.precision, self.device)
            base = self._base_log_probs(index)
            nll -= float(adapted.gather(1, targets[:, None]).sum())
            kl += float(F.kl_div(adapted, base, log_target=True, reduction="sum"))
        self.model.train(was_training)
        base_ppl = _exp(self._base_nll / self._tokens)
        adapted_ppl = _exp(nll / self._tokens)
        ratio = _exp((nll - self._base_nll) / self._tokens)
        mean_kl = kl / self._tokens
        return CFResult(step, ratio, mean_kl, cf_score(ratio, mean_kl), base_ppl, adapted_ppl)
