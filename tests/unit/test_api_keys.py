"""AuthenticateKey and CreateApiKey through the real container."""

from __future__ import annotations

import pytest

from askdocs.application.api_keys import TOKEN_PREFIX
from askdocs.application.errors import Unauthenticated
from askdocs.application.ports import Clock
from askdocs.domain.principals import Role, token_digest
from askdocs.entrypoints.container import Container

CONFIGURED_TOKEN = "configured-admin-token"


@pytest.mark.parametrize("token", ["", "askd_not-a-key-anyone-made"])
async def test_an_empty_or_unknown_token_is_unauthenticated(
    container: Container, token: str
) -> None:
    with pytest.raises(Unauthenticated):
        await container.authenticate_key().execute(token)


@pytest.mark.parametrize("role", list(Role))
async def test_a_created_key_authenticates_with_its_role(
    container: Container, clock: Clock, role: Role
) -> None:
    token, key = await container.create_api_key().execute(role)

    principal = await container.authenticate_key().execute(token)

    assert principal.role is role
    assert principal.subject == f"key:{token_digest(token)[:12]}"
    assert key.created_at == clock.now()
    assert key.role is role


async def test_only_the_hash_of_a_created_token_is_stored(container: Container) -> None:
    token, key = await container.create_api_key().execute(Role.READER)

    assert token.startswith(TOKEN_PREFIX)
    assert len(token) > len(TOKEN_PREFIX) + 40
    assert key.token_sha256 == token_digest(token)
    assert token not in repr(key)
    assert await container.api_keys().find(token_digest(token)) == key


async def test_every_created_key_has_its_own_token_and_subject(container: Container) -> None:
    first, _ = await container.create_api_key().execute(Role.EDITOR)
    second, _ = await container.create_api_key().execute(Role.EDITOR)

    authenticate = container.authenticate_key()
    assert first != second
    assert (await authenticate.execute(first)).subject != (
        await authenticate.execute(second)
    ).subject


async def test_a_token_that_differs_by_one_character_is_unauthenticated(
    container: Container,
) -> None:
    token, _ = await container.create_api_key().execute(Role.ADMIN)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(Unauthenticated):
        await container.authenticate_key().execute(tampered)


@pytest.mark.settings(auth__api_keys=f" {token_digest(CONFIGURED_TOKEN).upper()}:admin , ")
async def test_a_key_configured_in_the_settings_authenticates(container: Container) -> None:
    principal = await container.authenticate_key().execute(CONFIGURED_TOKEN)

    assert principal.role is Role.ADMIN
    assert principal.subject == f"key:{token_digest(CONFIGURED_TOKEN)[:12]}"
