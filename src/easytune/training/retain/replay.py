"""Self-replay: the base model's own answers to the shipped prompts, mixed into training.

Generated once per base model, prompt set and generation settings (greedy, chat template,
capped tokens), cached on disk and reused by every later job on that base.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from easytune.training import messages as msg
from easytune.training.data import (
    IGNORE_INDEX,
    Example,
    Message,
    TokenizedExample,
    tokenize_example,
)
from easytune.training.generate import greedy_answers
from easytune.training.model import resolve_ref
from easytune.training.progress import ProgressWriter
from easytune.training.retain.cache import (
    ContentHasher,
    cache_key,
    default_cache_dir,
    read_json,
    weight_files,
    write_json_atomic,
)
from easytune.training.retain.prompts import (
    REPLAY_MAX_PASSES,
    ReplayPrompt,
    load_prompts,
    prompt_set_digest,
)
from easytune.training.spec import TrainSpec

REPLAY_FORMAT = 1  # bump when the cached file's layout or the generation method changes


@dataclass(frozen=True)
class ReplayAnswer:
    id: str
    kind: str
    prompt: str
    answer: str
    finished: bool


@dataclass(frozen=True)
class GenerationContext:
    """What generating needs from the recipe: the model (peft) and how to run it."""

    model: Any
    tokenizer: Any
    end_of_turn: str
    device: str
    precision: str


def cache_folder(spec: TrainSpec) -> Path:
    return Path(spec.retain.cache_dir) if spec.retain.cache_dir else default_cache_dir()


def replay_key(spec: TrainSpec, gen: GenerationContext, hasher: ContentHasher) -> dict[str, Any]:
    """Everything that decides the generated answers."""
    folder, gguf_file = resolve_ref(spec.base_model)
    template = str(getattr(gen.tokenizer, "chat_template", "") or "")
    return {
        "format": REPLAY_FORMAT,
        "model": hasher.model_hash(weight_files(folder, gguf_file)),
        "prompt_set": spec.retain.prompt_set,
        "prompt_digest": prompt_set_digest(spec.retain.prompt_set),
        "max_new_tokens": spec.retain.max_new_tokens,
        "precision": gen.precision,
        "chat_template": cache_key({"template": template}),
        "decoding": "greedy",
    }


def _generate(prompts: list[ReplayPrompt], gen: GenerationContext, cap: int) -> list[ReplayAnswer]:
    chats = [[{"role": "user", "content": p.prompt}] for p in prompts]
    with gen.model.disable_adapter():  # the base model's own answers
        answers = greedy_answers(
            gen.model,
            gen.tokenizer,
            chats,
            max_new_tokens=cap,
            end_of_turn=gen.end_of_turn,
            device=gen.device,
        )
    return [
        ReplayAnswer(p.id, p.kind, p.prompt, a.text, a.finished)
        for p, a in zip(prompts, answers, strict=True)
    ]


def load_or_generate(
    spec: TrainSpec, gen: GenerationContext, progress: ProgressWriter
) -> list[ReplayAnswer]:
    """The cached replay set for this base model, generating (and caching) it on a miss."""
    folder = cache_folder(spec)
    key = replay_key(spec, gen, ContentHasher(folder))
    path = folder / f"replay-{cache_key(key)}.json"
    cached = read_json(path)
    if isinstance(cached, dict) and cached.get("key") == key:
        answers = [ReplayAnswer(**row) for row in cached["answers"]]
        progress.event("info", msg.REPLAY_CACHED(), answers=len(answers), cache=str(path))
        return answers
    started = time.monotonic()
    answers = _generate(load_prompts(spec.retain.prompt_set), gen, spec.retain.max_new_tokens)
    seconds = round(time.monotonic() - started, 2)
    write_json_atomic(path, {"key": key, "answers": [asdict(a) for a in answers]})
    finished = sum(a.finished for a in answers)
    progress.event(
        "info",
        msg.REPLAY_GENERATED(
            seconds=seconds,
            answers=len(answers),
            finished=finished,
            tokens=spec.retain.max_new_tokens,
        ),
        answers=len(answers),
        finished=finished,
        seconds=seconds,
        cache=str(path),
    )
    return answers


def pick(answers: list[ReplayAnswer], count: int, seed: int) -> list[ReplayAnswer]:
    """`count` answers: whole shuffled passes over the set, at most REPLAY_MAX_PASSES of them."""
    usable = [a for a in answers if a.answer.strip()]
    if not usable:
        return []
    count = min(count, REPLAY_MAX_PASSES * len(usable))
    rng, chosen = random.Random(seed), list[ReplayAnswer]()
    while len(chosen) < count:
        batch = list(usable)
        rng.shuffle(batch)
        chosen.extend(batch[: count - len(chosen)])
    return chosen


def _without_end_of_turn(item: TokenizedExample) -> TokenizedExample:
    """An answer cut at the token cap must not teach the model to stop there."""
    labelled = [i for i, label in enumerate(item.labels) if label != IGNORE_INDEX]
    if not labelled or item.truncated:
        return item
    labels = list(item.labels)
    labels[labelled[-1]] = IGNORE_INDEX
    return replace(item, labels=labels)


def tokenize_answer(answer: ReplayAnswer, tokenizer: Any, max_length: int) -> TokenizedExample:
    """A replayed answer through the same chat tokenisation as user data, marked as replay."""
    messages = (Message("user", answer.prompt), Message("assistant", answer.answer))
    item = tokenize_example(Example(line=0, messages=messages), tokenizer, max_length, True)
    item = replace(item, replay=True)
    return item if answer.finished else _without_end_of_turn(item)


class Replay:
    """The replay source handed to the data stage: items for a given number of user examples."""

    def __init__(self, answers: list[ReplayAnswer], spec: TrainSpec, tokenizer: Any) -> None:
        self.answers, self.spec, self.tokenizer = answers, spec, tokenizer

    def items(self, user_examples: int) -> list[TokenizedExample]:
        """The planned number of replayed items: picked among the answers that keep a trained
        token within data.max_length, so a long prompt does not shrink the count."""
        wanted = math.ceil(self.spec.retain.replay_ratio * user_examples)
        length = self.spec.data.max_length
        fitting = {}
        for answer in self.answers:
            item = tokenize_answer(answer, self.tokenizer, length)
            if answer.answer.strip() and item.num_labelled > 0:
                fitting[answer.id] = item
        usable = [a for a in self.answers if a.id in fitting]
        return [fitting[a.id] for a in pick(usable, wanted, self.spec.data.seed)]
