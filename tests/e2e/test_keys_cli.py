"""`askdocs keys create | list | revoke` against a running server and against the database."""

from __future__ import annotations

import re

import httpx
import pytest

from askdocs.entrypoints.cli.main import main
from tests.e2e.conftest import Server, migrated_schema_url

pytestmark = pytest.mark.e2e
TOKEN = re.compile(r"^(\w+) API key: (\S+)$", re.MULTILINE)
ID = re.compile(r"^id: (\S+)", re.MULTILINE)


def created(out: str) -> tuple[str, str]:
    token = TOKEN.search(out)
    key_id = ID.search(out)
    assert token is not None
    assert key_id is not None
    return token.group(2), key_id.group(1)


def test_keys_made_listed_and_revoked_on_a_server_take_effect_at_once(
    server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASKDOCS_API_KEY", server.admin_key or "")
    url = ["--url", server.url]

    assert main(["keys", "create", "--role", "reader", "--name", "wall screen", *url]) == 0
    token, key_id = created(capsys.readouterr().out)
    works = httpx.get(f"{server.url}/api/v1/me", headers={"X-API-Key": token})
    assert main(["keys", "list", *url]) == 0
    listing = capsys.readouterr().out
    assert main(["keys", "revoke", key_id, *url]) == 0
    refused = httpx.get(f"{server.url}/api/v1/me", headers={"X-API-Key": token})

    assert works.json()["role"] == "reader"
    assert re.search(rf"^{key_id}\t\w+\treader\twall screen\t.*\tactive$", listing, re.MULTILINE)
    assert token not in listing
    assert refused.status_code == 401


def test_keys_are_managed_in_the_database_directly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASKDOCS_URL", raising=False)
    with migrated_schema_url() as database_url:
        monkeypatch.setenv("ASKDOCS_DATABASE__URL", database_url)

        assert main(["keys", "create", "--role", "editor", "--expires-in-days", "7"]) == 0
        _, key_id = created(capsys.readouterr().out)
        assert main(["keys", "revoke", key_id]) == 0
        assert main(["keys", "list"]) == 0
        listing = capsys.readouterr().out
        assert main(["keys", "revoke", "no-such-key"]) == 1

    assert re.search(rf"^{key_id}\t\w+\teditor\t\t.*\trevoked$", listing, re.MULTILINE)
    assert "no API key no-such-key" in capsys.readouterr().err


def test_listing_without_a_server_or_database_says_what_it_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASKDOCS_URL", raising=False)
    monkeypatch.delenv("ASKDOCS_DATABASE__URL", raising=False)

    assert main(["keys", "list"]) == 2
    assert "ASKDOCS_DATABASE__URL" in capsys.readouterr().err
