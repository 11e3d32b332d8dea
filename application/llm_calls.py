"""LlmCall: the series one provider attempt leaves, whatever its end.

Every attempt the router makes is one `llm_requests` and one `llm_request_duration_seconds`
sample, tagged with the provider, the model asked of it and the `outcome` (`ok` or `error`);
a stream adds `llm_time_to_first_token_seconds` at its first text, and an answer adds the
tokens its provider reported to `llm_tokens` by `kind`. An attempt the caller abandoned (a
client that went away mid-stream) ended neither way and is left out.
"""

from __future__ import annotations

import dataclasses
import time

from askdocs.application.ports import ChatModel, ChatRequest, Metrics
from askdocs.domain.answers import Completion

OK = "ok"
ERROR = "error"


@dataclasses.dataclass(slots=True)
class LlmCall:
    """One attempt at one provider, timed from its creation."""

    metrics: Metrics
    provider: str
    model: str
    started: float = dataclasses.field(default_factory=time.perf_counter)
    wrote: bool = False

    @classmethod
    def to(cls, provider: ChatModel, request: ChatRequest, metrics: Metrics) -> LlmCall:
        """An attempt at `provider`, labelled with the model asked of it (its default when
        the request names none), so that failures and answers share their series."""
        model = request.model or (provider.models[0] if provider.models else "none")
        return cls(metrics, provider.name, model)

    def wrote_text(self) -> None:
        """The stream's first text went out: its delay is the time to the first token."""
        if not self.wrote:
            self.wrote = True
            self.metrics.observe(
                "llm_time_to_first_token_seconds", self._elapsed(), tags=self._model_tags()
            )

    def answered(self, completion: Completion) -> None:
        """The provider's answer is complete; its usage is counted as it reported it."""
        self._ended(OK)
        for kind, count in (
            ("prompt", completion.prompt_tokens),
            ("completion", completion.completion_tokens),
        ):
            if count > 0:
                self.metrics.increment(
                    "llm_tokens", amount=count, tags={**self._model_tags(), "kind": kind}
                )

    def failed(self) -> None:
        """The provider failed, before or after it began to answer."""
        self._ended(ERROR)

    def _ended(self, outcome: str) -> None:
        tags = {**self._model_tags(), "outcome": outcome}
        self.metrics.observe("llm_request_duration_seconds", self._elapsed(), tags=tags)
        self.metrics.increment("llm_requests", tags=tags)

    def _model_tags(self) -> dict[str, str]:
        return {"provider": self.provider, "model": self.model}

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started
