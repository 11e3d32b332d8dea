"""With PostgreSQL, the first start of a deployment prints one admin key; later starts print
none, and the stored key keeps working across restarts."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import migrated_schema_url, run_server

pytestmark = pytest.mark.e2e


def test_the_first_start_prints_an_admin_key_that_survives_restarts(tmp_path) -> None:
    with migrated_schema_url() as database_url:
        settings = {"ASKDOCS_DATABASE__URL": database_url}
        (tmp_path / "first").mkdir()
        (tmp_path / "second").mkdir()
        with run_server(tmp_path / "first", settings, prints_admin_key=True) as first:
            admin_key = first.admin_key
            assert admin_key
            created = httpx.post(
                f"{first.url}/api/v1/keys", json={"role": "reader", "name": "kiosk"},
                headers={"X-API-Key": admin_key}, timeout=30,
            )  # fmt: skip
            assert created.status_code == 201

        with run_server(tmp_path / "second", settings, prints_admin_key=False) as second:
            me = httpx.get(f"{second.url}/api/v1/me", headers={"X-API-Key": admin_key}, timeout=30)
            reader = httpx.get(
                f"{second.url}/api/v1/me",
                headers={"X-API-Key": created.json()["token"]},
                timeout=30,
            )
            listed = httpx.get(
                f"{second.url}/api/v1/keys", headers={"X-API-Key": admin_key}, timeout=30
            ).json()["items"]
            second.process.terminate()
            printed = second.process.stdout.read() if second.process.stdout else ""

    assert me.json()["role"] == "admin"
    assert reader.json()["role"] == "reader"
    assert sorted(k["name"] for k in listed) == ["first admin key", "kiosk"]
    assert next(k for k in listed if k["name"] == "first admin key")["last_used_at"] is not None
    assert "API key" not in printed
