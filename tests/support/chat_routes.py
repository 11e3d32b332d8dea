"""One question over each of the four ways to ask over HTTP, read back as the client sees it.

`/api/v1/chat` whole and as Server-Sent Events, `/v1/chat/completions` whole and streamed:
each reading is reduced to a `Said`, so a test can ask whether every route ended the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from askdocs.application.answer_outcomes import (
    ANSWERED,
    CACHED,
    CANCELLED,
    CUT_SHORT,
    DECLINED,
    DEGRADED,
    REFUSED,
)
from tests.contract.test_metrics import PrometheusReadings
from tests.http.conftest import Api
from tests.http.test_http_chat_streaming import events_of

OUTCOMES = (ANSWERED, CACHED, DECLINED, DEGRADED, CUT_SHORT, REFUSED, CANCELLED)


@dataclasses.dataclass(frozen=True)
class Said:
    """How a question ended, as its client saw it."""

    status: int
    text: str = ""
    """The answer's text, put together from its pieces when streamed."""
    degraded: bool | None = None
    """None when the answer did not end as an answer (an error, or a stream cut short)."""
    error: str | None = None
    """Why a stream ended in an error after its text, or an error response's message."""
    warnings: tuple[str, ...] = ()


Route = Callable[[Api, str], Awaitable[Said]]


async def chat_whole(api: Api, question: str, session_id: str | None = None) -> Said:
    body = {"question": question} | ({"session_id": session_id} if session_id else {})
    response = await api.client.post("/api/v1/chat", json=body, headers=api.auth("reader"))
    if response.status_code != 200:
        return Said(response.status_code, error=response.json()["detail"])
    reply = response.json()
    return Said(200, reply["answer"], reply["degraded"], warnings=tuple(reply["warnings"]))


async def chat_streamed(api: Api, question: str, session_id: str | None = None) -> Said:
    body = {"question": question, "stream": True}
    body |= {"session_id": session_id} if session_id else {}
    response = await api.client.post("/api/v1/chat", json=body, headers=api.auth("reader"))
    if response.status_code != 200:
        return Said(response.status_code, error=response.json()["detail"])
    events = events_of(response)
    names = [name for name, _ in events]
    assert names[0] == "meta", names
    assert set(names[1:-1]) <= {"delta"}, names
    text = "".join(data["text"] for name, data in events if name == "delta")
    last_name, last = events[-1]
    if last_name == "error":
        return Said(200, text, error=last["detail"])
    assert last_name == "done", names
    return Said(200, text, last["degraded"], warnings=tuple(last["warnings"]))


async def completions_whole(api: Api, question: str, session_id: str | None = None) -> Said:
    body = {"messages": [{"role": "user", "content": question}]}
    response = await api.client.post("/v1/chat/completions", json=body, headers=api.auth("reader"))
    if response.status_code != 200:
        return Said(response.status_code, error=response.json()["error"]["message"])
    reply = response.json()
    extra = reply["askdocs"]
    text = reply["choices"][0]["message"]["content"]
    return Said(200, text, extra["degraded"], warnings=tuple(extra["warnings"]))


async def completions_streamed(api: Api, question: str, session_id: str | None = None) -> Said:
    body = {"messages": [{"role": "user", "content": question}], "stream": True}
    response = await api.client.post("/v1/chat/completions", json=body, headers=api.auth("reader"))
    if response.status_code != 200:
        return Said(response.status_code, error=response.json()["error"]["message"])
    assert response.headers["content-type"].startswith("text/event-stream")
    data = [
        line.removeprefix("data: ") for line in response.text.splitlines() if line[:6] == "data: "
    ]
    ended_cleanly = data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in (data[:-1] if ended_cleanly else data)]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert "sources" in chunks[0]
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks if "choices" in c]
    if not ended_cleanly:
        return Said(200, "".join(pieces), error=chunks[-1]["error"]["message"])
    finish = chunks[-1]
    assert finish["choices"][0]["finish_reason"] == "stop"
    extra = finish["askdocs"]
    return Said(200, "".join(pieces), extra["degraded"], warnings=tuple(extra["warnings"]))


WHOLE: tuple[Route, ...] = (chat_whole, completions_whole)
STREAMED: tuple[Route, ...] = (chat_streamed, completions_streamed)
EVERY_ROUTE: tuple[Route, ...] = (*WHOLE, *STREAMED)


def ask_seconds_by_outcome(metrics: Any) -> dict[str, float]:
    """How many `ask_seconds` observations the app's Prometheus metrics hold, per outcome
    (outcomes never observed left out)."""
    readings = PrometheusReadings(metrics)
    counts = {}
    for outcome in OUTCOMES:
        observed = readings.histogram("ask_seconds", {"outcome": outcome})
        if observed is not None:
            counts[outcome] = observed[0]
    return counts
