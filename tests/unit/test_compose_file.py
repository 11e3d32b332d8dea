"""compose.yaml and .env.example agree with each other and with this version of askdocs, so a
release or a new variable cannot leave the stack's files behind (the stack itself is brought
up by tests/compose/ in `nox -s compose`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import askdocs
from askdocs.entrypoints.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
ASKDOCS_SERVICES = ("migrate", "server", "worker")


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (ROOT / "compose.yaml").read_text()


@pytest.fixture(scope="module")
def services(compose_text: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(compose_text)["services"]
    return found


def example_names() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {m.group(1) for line in lines if (m := re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line))}


def test_the_default_image_is_this_version(compose_text: str) -> None:
    assert f"${{APP_IMAGE:-localhost/askdocs:{askdocs.__version__}}}" in compose_text
    assert (
        f"APP_IMAGE=localhost/askdocs:{askdocs.__version__}" in (ROOT / ".env.example").read_text()
    )


def test_env_example_names_every_variable_the_compose_file_reads(compose_text: str) -> None:
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))

    assert read - example_names() == set()


def test_the_compose_files_own_variables_are_not_named_like_settings(compose_text) -> None:
    """.env reaches askdocs whole (env_file): a variable of the file's own named ASKDOCS_*
    would stop askdocs as an unknown setting."""
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))

    assert {name for name in read if name.startswith("ASKDOCS_")} == set()


def test_the_settings_env_example_shows_are_settings() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    shown = dict(
        line.removeprefix("# ").split("=", 1)
        for line in lines
        if line.removeprefix("# ").startswith("ASKDOCS_")
    )
    assert len(shown) >= 3

    settings = load_settings(shown)  # SettingsError on a name that is no setting

    assert settings.llm.providers == shown["ASKDOCS_LLM__PROVIDERS"]


def test_the_askdocs_services_share_settings_volume_and_a_read_only_root(services) -> None:
    for name in ASKDOCS_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        assert service["read_only"] is True, name
        assert service["volumes"] == ["blobs:/var/lib/askdocs"], name
        assert service["environment"]["ASKDOCS_DATABASE__URL"].endswith("@postgres:5432/askdocs")
        assert service["environment"]["ASKDOCS_REDIS__URL"] == "redis://redis:6379/0"


def test_migrations_gate_the_server_and_the_worker(services) -> None:
    assert services["migrate"]["command"][0] == "migrate"
    assert "--wait" in services["migrate"]["command"]
    assert "depends_on" not in services["migrate"], "podman 4.3 cannot start a chain of them"
    for name in ("server", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name


def test_only_the_server_is_published(services) -> None:
    published = {name for name, service in services.items() if service.get("ports")}

    assert published == {"server"}
