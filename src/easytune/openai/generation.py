"""One generation for the OpenAI surface on the playground's path (core.inference: the model
cache, the per-base lock, the stop when the reader leaves), plus OpenAI's `stop` strings,
`finish_reason` and `usage`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

from easytune.core.inference import GenerationRequest, InferenceCache, Target


class StopScanner:
    """Cuts streamed text at the first stop string, holding back a tail that could be the start
    of one, so no piece of a stop string ever reaches the client."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self.held = ""

    def feed(self, piece: str) -> tuple[str, bool]:
        """The text that is safe to send now, and whether a stop string was met."""
        text = self.held + piece
        found = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if found:
            self.held = ""
            return text[: min(found)], True
        keep = self._partial(text)
        self.held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep], False

    def flush(self) -> str:
        """What was held back once the answer ended without a stop string."""
        text, self.held = self.held, ""
        return text

    def _partial(self, text: str) -> int:
        longest = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(text)), longest, -1):
                if text.endswith(stop[:size]):
                    longest = size
                    break
        return longest


class Generation:
    """A request to one target: its visible text pieces, then why it ended and token counts."""

    def __init__(
        self, cache: InferenceCache, target: Target, request: GenerationRequest, stops: list[str]
    ) -> None:
        self.cache, self.target, self.request = cache, target, request
        self.scanner = StopScanner(stops)
        self.hit_stop = False

    def pieces(self) -> Iterator[str]:
        """The answer's text as it is generated, ending at a stop string."""
        with closing(self.cache.generate(self.target, self.request)) as raw:
            for piece in raw:
                text, self.hit_stop = self.scanner.feed(piece)
                if text:
                    yield text
                if self.hit_stop:
                    return  # closing `raw` ends generation and frees the model's lock
        if tail := self.scanner.flush():
            yield tail

    def text(self) -> str:
        """The whole answer."""
        return "".join(self.pieces())

    @property
    def finish_reason(self) -> str:
        """ "stop" (end of turn or a stop string) or "length" (max_tokens reached)."""
        stats = self.request.stats
        if self.hit_stop or stats.ended_turn:
            return "stop"
        return "length" if stats.completion_tokens >= self.request.max_new_tokens else "stop"

    def usage(self) -> dict[str, Any]:
        """OpenAI's usage object."""
        stats = self.request.stats
        return {
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "total_tokens": stats.prompt_tokens + stats.completion_tokens,
        }
