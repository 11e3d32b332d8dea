"""Roles, principals and API keys: the domain rules."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from askdocs.domain.principals import ApiKey, Principal, Role, token_digest


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.READER, {Role.READER}),
        (Role.EDITOR, {Role.READER, Role.EDITOR}),
        (Role.ADMIN, {Role.READER, Role.EDITOR, Role.ADMIN}),
    ],
)
def test_each_role_includes_the_ones_before_it(role: Role, allowed: set[Role]) -> None:
    assert {required for required in Role if role.allows(required)} == allowed


def test_roles_rank_in_the_order_reader_editor_admin() -> None:
    assert [r.rank for r in (Role.READER, Role.EDITOR, Role.ADMIN)] == [0, 1, 2]


def test_roles_read_from_their_setting_values() -> None:
    assert [Role(v) for v in ("reader", "editor", "admin")] == list(Role)


def test_a_token_digest_is_the_sha256_of_the_token() -> None:
    assert token_digest("askd_abc") == hashlib.sha256(b"askd_abc").hexdigest()


def test_a_keys_principal_is_named_by_a_prefix_of_the_hash_never_the_token() -> None:
    token = "askd_secret-token"
    key = ApiKey(token_sha256=token_digest(token), role=Role.EDITOR)

    principal = key.principal()

    assert key.prefix == token_digest(token)[:12]
    assert principal == Principal(subject=f"key:{token_digest(token)[:12]}", role=Role.EDITOR)
    assert "secret" not in principal.subject


def test_a_keys_principal_does_not_depend_on_when_it_was_created() -> None:
    digest = token_digest("t")
    created = ApiKey(digest, Role.READER, created_at=datetime(2025, 1, 1, tzinfo=UTC))

    assert created.principal() == ApiKey(digest, Role.READER).principal()
