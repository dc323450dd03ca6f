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
from collections.abc import Generator, Iterator
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


@dataclass
class GenerationStats:
    """Filled while generating: token counts and whether the model ended its turn itself."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    ended_turn: bool = False


@dataclass(frozen=True)
class GenerationRequest:
    """Chat `messages` (through the chat template), or a raw `prompt` when it is set."""

    messages: list[dict[str, Any]]
    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 0.95
    seed: int | None = None
    prompt: str | None = None
    max_prompt_tokens: int = 4096  # the playground's cap; the model's context caps it too
    tools: list[dict[str, Any]] | None = None  # OpenAI function tools offered to the model
    # Set when nobody reads the answer any more (the client went away): generation stops at
    # the next token and the model's lock is free for the next request.
    stop: threading.Event = field(default_factory=threading.Event, compare=False)
    stats: GenerationStats = field(default_factory=GenerationStats, compare=False)


@dataclass
class Finish:
    """Why an answer ended, filled in when its generation is done (OpenAI's finish_reason):
    "length" when it was cut at max_new_tokens, "stop" when the model ended it."""

    reason: str | None = None


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
        self,
        target: Target,
        request: GenerationRequest,
        *,
        base: bool = False,
        finish: Finish | None = None,
    ) -> Generator[str, None, None]:
        """Text pieces of the answer; with `base`, the base model's answer (adapter disabled).
        `finish`, when given, says afterwards why the answer ended."""
        loaded = self._base(target)
        with loaded.lock:
            self._select(loaded, target)
            yield from _generate(loaded, request, base or target.adapter_id is None, finish)

    def loaded(self) -> dict[str, list[str]]:
        """The base models in memory, each with the adapters attached to it (LRU order)."""
        with self._lock:
            return {base: list(item.adapters) for base, item in self._bases.items()}

    def prompt_room(self, target: Target, request: GenerationRequest) -> tuple[int, int]:
        """(prompt tokens, the most allowed): the setting's cap, and the model's context
        less the answer's max_new_tokens."""
        loaded = self._base(target)
        ids = loaded.tokenizer.apply_chat_template(request.messages, add_generation_prompt=True)
        ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
        context = getattr(loaded.model.config, "max_position_embeddings", None) or 1 << 30
        return len(ids), min(request.max_prompt_tokens, context - request.max_new_tokens)

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


def _prompt(tokenizer: Any, request: GenerationRequest) -> Any:
    """The prompt tensors; tools through the template, or described in text when it has none."""
    from easytune.training.data.tooltemplate import chat_for_template

    messages, tools = chat_for_template(request.messages, request.tools, tokenizer)
    return tokenizer.apply_chat_template(
        messages, tools=tools, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )


def _generate(
    loaded: _Loaded, request: GenerationRequest, base: bool, finish: Finish | None = None
) -> Iterator[str]:
    import torch
    from transformers import StoppingCriteriaList, TextIteratorStreamer

    inputs = _inputs(loaded.tokenizer, request)
    request.stats.prompt_tokens = int(inputs["input_ids"].shape[1])
    streamer = TextIteratorStreamer(
        loaded.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600
    )
    sampling = {"do_sample": True, "temperature": request.temperature, "top_p": request.top_p}
    abandoned = threading.Event()  # this reader stopped early (GeneratorExit)
    counter, tail = _Count(request.stats, loaded.eos_id), _Tail()
    stopped = StoppingCriteriaList([counter, _StopWhenSet(request.stop, abandoned), tail])
    kwargs = {
        **inputs, "streamer": streamer, "max_new_tokens": request.max_new_tokens,
        "stopping_criteria": stopped,
        "eos_token_id": loaded.eos_id, "pad_token_id": loaded.eos_id,
        **(sampling if request.temperature > 0 else {"do_sample": False}),
    }  # fmt: skip

    failure: list[BaseException] = []

    def run() -> None:
        try:
            if request.seed is not None:  # under the base's lock: no other generation races
                torch.manual_seed(request.seed)
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
    if finish is not None:
        prompt = int(inputs["input_ids"].shape[1])
        finish.reason = tail.reason(prompt, request.max_new_tokens, loaded.eos_id)


class _Tail:
    """A stopping criterion that never stops: it keeps the newest length and last token."""

    def __init__(self) -> None:
        self.length, self.last = 0, -1

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        self.length, self.last = int(input_ids.shape[1]), int(input_ids[0, -1])
        return torch.zeros((input_ids.shape[0],), dtype=torch.bool)

    def reason(self, prompt: int, max_new_tokens: int, eos_id: int) -> str:
        cut = self.length - prompt >= max_new_tokens and self.last != eos_id
        return "length" if cut else "stop"


def _inputs(tokenizer: Any, request: GenerationRequest) -> Any:
    """A raw `prompt` as it is, or the chat (with its tools) through the template."""
    if request.prompt is not None:
        return tokenizer(request.prompt, return_tensors="pt")
    return _prompt(tokenizer, request)


class _Count:
    """A stopping criterion that never stops: it counts new tokens and sees the end of turn."""

    def __init__(self, stats: GenerationStats, eos_id: int) -> None:
        self.stats, self.eos_id, self.start = stats, eos_id, stats.prompt_tokens

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        self.stats.completion_tokens = int(input_ids.shape[1]) - self.start
        self.stats.ended_turn = int(input_ids[0, -1]) == self.eos_id
        return torch.zeros((input_ids.shape[0],), dtype=torch.bool)


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
