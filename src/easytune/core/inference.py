"""The playground's model cache and generation: base models loaded on demand (LRU), adapters
attached to their base by name (a small LRU per base), answers streamed token by token.

One lock per base model: generations on the same weights take turns (the adapter switch and
`disable_adapter` for the base answer change shared state).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from easytune.training.spec import ModelRef

BASE = "base"


@dataclass(frozen=True)
class Target:
    """What to answer with: a base model, optionally one of its adapters."""

    base_id: str
    base_ref: ModelRef
    adapter_id: str | None = None
    adapter_path: str | None = None


@dataclass(frozen=True)
class GenerationRequest:
    messages: list[dict[str, str]]
    max_new_tokens: int = 256
    temperature: float = 0.0
    # Set when nobody reads the answer any more (the client went away): generation stops at
    # the next token and the model's lock is free for the next request.
    stop: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass
class _Loaded:
    """A base model wrapped for adapters, its tokenizer, and the adapters attached (LRU)."""

    model: Any
    tokenizer: Any
    eos_id: int
    adapters: OrderedDict[str, None] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class InferenceCache:
    """Keeps up to `bases` base models in memory, each with up to `adapters` adapters."""

    def __init__(self, bases: int = 1, adapters: int = 4) -> None:
        self.max_bases = bases
        self.max_adapters = adapters
        self._bases: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def generate(
        self, target: Target, request: GenerationRequest, *, base: bool = False
    ) -> Iterator[str]:
        """Text pieces of the answer; with `base`, the base model's answer (adapter disabled)."""
        loaded = self._base(target)
        with loaded.lock:
            self._select(loaded, target)
            yield from _generate(loaded, request, base or target.adapter_id is None)

    def _base(self, target: Target) -> _Loaded:
        with self._lock:
            if target.base_id in self._bases:
                self._bases.move_to_end(target.base_id)
                return self._bases[target.base_id]
            while len(self._bases) >= self.max_bases:
                self._bases.popitem(last=False)
            loaded = _load_base(target.base_ref)
            self._bases[target.base_id] = loaded
            return loaded

    def _select(self, loaded: _Loaded, target: Target) -> None:
        if target.adapter_id is None:
            return
        if target.adapter_id not in loaded.adapters:
            while len(loaded.adapters) >= self.max_adapters:
                evicted, _ = loaded.adapters.popitem(last=False)
                loaded.model.delete_adapter(evicted)
            assert target.adapter_path is not None
            loaded.model.load_adapter(target.adapter_path, adapter_name=target.adapter_id)
            loaded.adapters[target.adapter_id] = None
        loaded.adapters.move_to_end(target.adapter_id)
        loaded.model.set_adapter(target.adapter_id)


def _load_base(ref: ModelRef) -> _Loaded:
    from peft import LoraConfig, get_peft_model

    from easytune.training.data import end_of_turn_token, ensure_chat_template
    from easytune.training.model import load_model

    model, tokenizer = load_model(ref)
    eot = ensure_chat_template(tokenizer)
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer))
    model.eval()
    # A placeholder adapter makes the model a PeftModel that real adapters are loaded into by
    # name; it is never selected for an answer.
    with warnings.catch_warnings():  # peft reads a property transformers deprecated
        warnings.filterwarnings("ignore", ".*is_gradient_checkpointing", FutureWarning)
        wrapped = get_peft_model(model, LoraConfig(r=1, target_modules=_any_linear(model)))
    eos_id = tokenizer.convert_tokens_to_ids(end_of_turn_token(tokenizer) or eot)
    return _Loaded(wrapped, tokenizer, int(eos_id))


def _any_linear(model: Any) -> list[str]:
    from torch import nn

    for name, module in model.named_modules():
        if isinstance(module, nn.Linear) and "lm_head" not in name:
            return [name.rsplit(".", 1)[-1]]
    raise ValueError("the model has no linear layer to attach adapters to")


def _generate(loaded: _Loaded, request: GenerationRequest, base: bool) -> Iterator[str]:
    import torch
    from transformers import StoppingCriteriaList, TextIteratorStreamer

    inputs = loaded.tokenizer.apply_chat_template(
        request.messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    streamer = TextIteratorStreamer(
        loaded.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600
    )
    sampling = {"do_sample": True, "temperature": request.temperature, "top_p": 0.95}
    abandoned = threading.Event()  # this reader stopped early (GeneratorExit)
    stopped = StoppingCriteriaList([_StopWhenSet(request.stop, abandoned)])
    kwargs = {
        **inputs, "streamer": streamer, "max_new_tokens": request.max_new_tokens,
        "stopping_criteria": stopped,
        "eos_token_id": loaded.eos_id, "pad_token_id": loaded.eos_id,
        **(sampling if request.temperature > 0 else {"do_sample": False}),
    }  # fmt: skip

    failure: list[BaseException] = []

    def run() -> None:
        try:
            with torch.inference_mode(), _adapter_off(loaded.model, base):
                loaded.model.generate(**kwargs)
        except BaseException as exc:  # handed to the reading side; the streamer must end
            failure.append(exc)
            streamer.end()  # type: ignore[no-untyped-call]

    thread = threading.Thread(target=run, name="playground-generate", daemon=True)
    thread.start()
    try:
        yield from (piece for piece in streamer if piece)
    finally:
        abandoned.set()  # a no-op after a full answer; else generation ends at the next token
        thread.join()
    if failure:
        raise failure[0]


class _StopWhenSet:
    """A transformers stopping criterion: True for every sequence once an event is set."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        stop = any(event.is_set() for event in self.events)
        return torch.full((input_ids.shape[0],), stop, dtype=torch.bool)


def _adapter_off(model: Any, off: bool) -> Any:
    return model.disable_adapter() if off else contextlib.nullcontext()
