"""Extras: what the settings need installed, and one line naming the extra when it is not.

A missing package is made missing for real in a child interpreter (`sys.modules[name] = None`
makes both `find_spec` and `import` find nothing), so the code under test runs unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from askdocs.entrypoints.extras import required_extras
from askdocs.entrypoints.settings import load_settings

BACKEND_SDKS = ("litestar", "uvicorn", "jwt", "prometheus_client", "asyncpg", "pgvector",
                "pgqueuer", "redis", "openai", "groq", "httpx2", "datadog",
                "opentelemetry")  # fmt: skip


def without_extras(
    code: str, hidden: tuple[str, ...] = BACKEND_SDKS, **environ: str
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter where no extra's package (of those `hidden`) can be
    imported."""
    hide = f"import sys\nfor name in {hidden!r}:\n    sys.modules[name] = None\n"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    return subprocess.run(
        [sys.executable, "-c", hide + textwrap.dedent(code)],
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_defaults_need_no_extra() -> None:
    assert required_extras(load_settings({})) == {}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ASKDOCS_DATABASE__URL": "postgresql://db/askdocs"}, {"postgres": "database.url"}),
        ({"ASKDOCS_INDEX__BACKEND": "postgres"}, {"postgres": "index.backend=postgres"}),
        ({"ASKDOCS_AUTH__KEY_STORE": "postgres"}, {"postgres": "auth.key_store=postgres"}),
        ({"ASKDOCS_REDIS__URL": "redis://127.0.0.1:6379/0"}, {"redis": "redis.url"}),
        ({"ASKDOCS_CACHE__BACKEND": "redis"}, {"redis": "cache.backend=redis"}),
        ({"ASKDOCS_EMBEDDER__BACKEND": "openai"}, {"llm": "embedder.backend=openai"}),
        (
            {"ASKDOCS_LLM__PROVIDERS": "fast,extractive", "ASKDOCS_LLM__FAST__KIND": "groq"},
            {"llm": "the LLM provider fast (llm.providers)"},
        ),
        (
            {
                "ASKDOCS_LLM__PROVIDERS": "offline",
                "ASKDOCS_LLM__OFFLINE__KIND": "llamacpp",
                "ASKDOCS_LLM__OFFLINE__MODEL_PATH": "/models/tiny.gguf",
            },
            {"local": "the LLM provider offline (llm.providers)"},
        ),
        ({"ASKDOCS_METRICS__BACKEND": "prometheus"}, {"server": "metrics.backend=prometheus"}),
        ({"ASKDOCS_METRICS__BACKEND": "datadog"}, {"datadog": "metrics.backend=datadog"}),
        (
            {"ASKDOCS_METRICS__BACKEND": "opentelemetry"},
            {"otel": "metrics.backend=opentelemetry"},
        ),
        ({"ASKDOCS_TRACING__BACKEND": "opentelemetry"}, {"otel": "tracing.backend=opentelemetry"}),
    ],
)
def test_each_backend_beyond_the_core_names_its_extra_and_the_setting(
    environ: dict[str, str], expected: dict[str, str]
) -> None:
    assert required_extras(load_settings(environ)) == expected


def test_the_library_runs_with_no_extra_installed() -> None:
    result = without_extras(
        """
        import asyncio
        from askdocs import Askdocs

        async def main():
            async with Askdocs() as docs:
                await docs.ingest(b"The lid opens with the blue lever.", filename="lid.txt")
                answer = await docs.ask("How does the lid open?")
            print([s.document for s in answer.sources])
            print(sorted(m for m in sys.modules if m.partition(".")[0] in {BACKEND_SDKS!r}))

        asyncio.run(main())
        """.replace("{BACKEND_SDKS!r}", repr(set(BACKEND_SDKS)))
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['lid.txt']", repr(sorted(BACKEND_SDKS))]


def test_a_selected_backend_without_its_extra_stops_the_library_naming_the_extra() -> None:
    result = without_extras(
        """
        from askdocs import Askdocs
        from askdocs.entrypoints.extras import MissingExtra
        try:
            Askdocs.from_env()
        except MissingExtra as missing:
            print(missing)
        """,
        ASKDOCS_REDIS__URL="redis://127.0.0.1:6379/0",
    )

    assert result.stdout.splitlines() == [
        "redis.url needs askdocs[redis], which is not installed (no module 'redis'): "
        "pip install 'askdocs[redis]'"
    ]


def test_a_llamacpp_provider_without_llama_cpp_stops_the_library_naming_the_local_extra() -> None:
    result = without_extras(
        """
        from askdocs import Askdocs
        from askdocs.entrypoints.extras import MissingExtra
        try:
            Askdocs.from_env()
        except MissingExtra as missing:
            print(missing)
        """,
        hidden=("llama_cpp",),
        ASKDOCS_LLM__PROVIDERS="offline",
        ASKDOCS_LLM__OFFLINE__KIND="llamacpp",
        ASKDOCS_LLM__OFFLINE__MODEL_PATH="/models/tiny.gguf",
    )

    # The extra's first missing module is named: llama_cpp here, or onnxruntime where the
    # rest of the extra is not installed either.
    line = result.stdout.splitlines()[-1]
    assert line.startswith("the LLM provider offline (llm.providers) needs askdocs[local]"), line
    assert line.endswith("): pip install 'askdocs[local]'"), result.stderr


@pytest.mark.parametrize(
    ("argv", "environ", "line"),
    [
        (
            ["serve"],
            {},
            "askdocs serve: askdocs serve needs askdocs[server], which is not installed (no "
            "module 'litestar'): pip install 'askdocs[server]'",
        ),
        (
            ["migrate"],
            {"ASKDOCS_DATABASE__URL": "postgresql://127.0.0.1/askdocs"},
            "askdocs migrate: askdocs migrate needs askdocs[postgres], which is not installed "
            "(no module 'asyncpg'): pip install 'askdocs[postgres]'",
        ),
    ],
)
def test_a_command_without_its_extra_is_one_line_and_status_2(
    argv: list[str], environ: dict[str, str], line: str
) -> None:
    result = without_extras(
        f"""
        from askdocs.entrypoints.cli.main import main
        sys.exit(main({argv!r}))
        """,
        **environ,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [line]


@pytest.mark.parametrize(
    ("hidden", "chosen"),
    [
        ((), "prometheus"),
        (("prometheus_client",), "opentelemetry"),
        (("prometheus_client", "opentelemetry"), "datadog"),
        (("prometheus_client", "opentelemetry", "datadog"), "noop"),
    ],
)
def test_auto_metrics_are_the_first_installed_of_prometheus_opentelemetry_and_datadog(
    hidden: tuple[str, ...], chosen: str
) -> None:
    result = without_extras(
        """
        from askdocs.entrypoints.infrastructure import resolve_backends
        from askdocs.entrypoints.settings import load_settings
        print(resolve_backends(load_settings({})).metrics.backend)
        """,
        hidden,
    )

    assert result.stdout.splitlines() == [chosen], result.stderr


@pytest.mark.parametrize(
    ("backend", "line"),
    [
        (
            "opentelemetry",
            "metrics.backend=opentelemetry needs askdocs[otel], which is not installed (no "
            "module 'opentelemetry.sdk'): pip install 'askdocs[otel]'",
        ),
        (
            "datadog",
            "metrics.backend=datadog needs askdocs[datadog], which is not installed (no "
            "module 'datadog'): pip install 'askdocs[datadog]'",
        ),
    ],
)
def test_a_metrics_backend_without_its_extra_stops_the_start_naming_the_extra(
    backend: str, line: str
) -> None:
    result = without_extras(
        """
        from askdocs.entrypoints.cli.main import main
        sys.exit(main(["serve"]))
        """,
        ("datadog", "opentelemetry"),
        ASKDOCS_METRICS__BACKEND=backend,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"askdocs serve: {line}"]
