"""A real `askdocs serve` answering through an LLM provider (a local OpenAI-compatible server):
streaming as it comes, dropping the upstream when the client goes, failing over, and serving
the official openai client on /v1."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.e2e.conftest import Server, run_server, upload_and_settle
from tests.support.fake_llm import FakeLLM, HttpError, Outcome
from tests.support.fake_llm import Reply as Scripted

pytestmark = pytest.mark.e2e

NOTES = (
    "The observatory dome rotates on twelve steel wheels.\n\n"
    "Stargazing evenings begin at nine o'clock every Thursday.\n"
)
QUESTION = "When do stargazing evenings begin?"
COOLDOWN_S = 0.2  # short, so that the test after a failover finds the provider back


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLLM]:
    with FakeLLM.running(models=["tiny"]) as running:
        yield running


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, fake: FakeLLM) -> Iterator[Server]:
    """askdocs with the fake as its first provider and the extractive answerer behind it."""
    settings = {
        "ASKDOCS_LLM__PROVIDERS": "local,extractive",
        "ASKDOCS_LLM__LOCAL__BASE_URL": fake.openai_base_url,
        "ASKDOCS_LLM__LOCAL__MODELS": "tiny",
        "ASKDOCS_LLM__LOCAL__TIMEOUT_S": "5",
        "ASKDOCS_LLM__COOLDOWN_S": str(COOLDOWN_S),
        # The questions carry suffixes that miss the cache ("(sdk stream)"); in a one-chunk
        # corpus those unknown words would weigh enough to decline them before the model.
        "ASKDOCS_INDEX__MIN_COVERAGE": "0",
    }
    with run_server(tmp_path_factory.mktemp("serve-llm"), settings) as server:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": key(server)}) as client:
            uploaded = upload_and_settle(client, "notes.txt", NOTES.encode())
            assert uploaded["settled"]["status"] == "ready"
        yield server


@pytest.fixture(autouse=True)
def fresh_script(fake: FakeLLM) -> None:
    fake.reset()


def key(server: Server) -> str:
    assert server.admin_key is not None
    return server.admin_key


def stream_events(response: httpx.Response) -> Iterator[tuple[str, dict[str, object]]]:
    """(event, data) of each SSE message as it arrives."""
    event = "message"
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield event, json.loads(line.removeprefix("data: "))
            event = "message"


@contextlib.contextmanager
def ask_streaming(server: Server, question: str) -> Iterator[httpx.Response]:
    """POST a streamed question; leaving the block closes the connection, read or not."""
    with (
        httpx.Client(base_url=server.url, headers={"X-API-Key": key(server)}, timeout=30) as c,
        c.stream("POST", "/api/v1/chat", json={"question": question, "stream": True}) as response,
    ):
        assert response.status_code == 200
        yield response


def test_the_first_delta_arrives_while_the_provider_is_still_writing(
    served: Server, fake: FakeLLM
) -> None:
    pieces = [f"word{n} " for n in range(20)]
    fake.script(Scripted.from_chunks(pieces, chunk_delay=0.1))

    with ask_streaming(served, QUESTION) as response:
        events = stream_events(response)
        assert next(events)[0] == "meta"
        name, data = next(events)
        upstream_still_writing = not fake.streams[-1].ended
        rest = list(events)

    assert (name, data) == ("delta", {"text": "word0 "})
    assert upstream_still_writing
    text = "word0 " + "".join(str(d["text"]) for n, d in rest if n == "delta")
    assert text == "".join(pieces)
    assert rest[-1][0] == "done"
    assert rest[-1][1]["provider"] == "local"
    assert rest[-1][1]["model"] == "tiny"


def test_a_client_that_disconnects_cancels_the_upstream_generation(
    served: Server, fake: FakeLLM
) -> None:
    pieces = [f"slow{n} " for n in range(100)]
    fake.script(Scripted.from_chunks(pieces, chunk_delay=0.05))

    with ask_streaming(served, QUESTION + " (disconnect)") as response:
        events = stream_events(response)
        next(events)
        assert next(events)[0] == "delta"
    # Leaving the block closed the connection mid-stream.

    record = fake.wait_for_stream_end(timeout=10)
    assert record.outcome is Outcome.DISCONNECTED
    assert record.chunks_sent < len(pieces)


def test_a_100_kb_answer_streams_intact(served: Server, fake: FakeLLM) -> None:
    text = "".join(f"line {n:05d}: " + "x" * 40 + "\n" for n in range(2000))
    assert len(text) > 100_000
    fake.script(Scripted(text, chunk_size=997))

    with ask_streaming(served, QUESTION + " (long)") as response:
        events = list(stream_events(response))

    assert "".join(str(d["text"]) for n, d in events if n == "delta") == text
    assert events[-1][0] == "done"


def test_a_failing_provider_falls_over_to_the_next_before_the_first_token(
    served: Server, fake: FakeLLM
) -> None:
    fake.script(HttpError.server_error())

    with ask_streaming(served, QUESTION + " (failover)") as response:
        events = list(stream_events(response))

    done = events[-1][1]
    assert (events[-1][0], done["provider"], done["degraded"]) == ("done", "extractive", False)
    text = "".join(str(d["text"]) for n, d in events if n == "delta")
    assert "nine o'clock" in text
    time.sleep(COOLDOWN_S * 2)  # the failed provider's cooldown ends


def test_the_openai_client_gets_answers_streamed_and_not(served: Server, fake: FakeLLM) -> None:
    client = openai.OpenAI(base_url=f"{served.url}/v1", api_key=key(served), max_retries=0)
    fake.script(Scripted("Nine o'clock [1]."), Scripted.from_chunks(["Nine", " o'clock", " [1]."]))

    models = [m.id for m in client.models.list()]
    whole = client.chat.completions.create(
        model="tiny", messages=[{"role": "user", "content": QUESTION + " (sdk)"}]
    )
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(
            model="tiny",
            messages=[{"role": "user", "content": QUESTION + " (sdk stream)"}],
            stream=True,
        )
        if chunk.choices
    ]

    assert models == ["tiny", "extractive"]
    assert whole.choices[0].message.content == "Nine o'clock [1]."
    assert whole.model_extra is not None
    assert whole.model_extra["sources"][0]["document"] == "notes.txt"
    assert "".join(pieces) == "Nine o'clock [1]."


def test_the_prompt_quotes_the_retrieved_text_as_data(served: Server, fake: FakeLLM) -> None:
    with httpx.Client(base_url=served.url, headers={"X-API-Key": key(served)}) as client:
        reply = client.post("/api/v1/chat", json={"question": QUESTION + " (prompt)"}).json()

    sent = fake.requests[-1].messages
    assert sent[0]["role"] == "system"
    assert "never follow" in sent[0]["content"]
    assert "Stargazing evenings begin at nine" in sent[-1]["content"]
    assert reply["provider"] == "local"


def test_the_server_log_never_holds_the_provider_key(served: Server) -> None:
    assert "sk-" not in Path(served.log_path).read_text()
