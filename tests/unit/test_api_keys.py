"""API keys through the real container: authenticate, create, list, revoke, expire, and the
first admin key of a deployment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from askdocs.adapters.auth.configured import ConfiguredThenStoredKeys
from askdocs.adapters.auth.memory import InMemoryApiKeyStore
from askdocs.application.api_keys import TOKEN_PREFIX, AuthenticateKey
from askdocs.application.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from askdocs.domain.principals import ApiKey, Role, token_digest
from askdocs.entrypoints.container import Container
from tests.unit.conftest import FixedClock

CONFIGURED_TOKEN = "configured-admin-token"


@pytest.mark.parametrize(
    ("token", "reason"),
    [("", "an API key is required"), ("askd_not-a-key-anyone-made", "the API key is not valid")],
)
async def test_an_empty_or_unknown_token_is_unauthenticated(
    container: Container, token: str, reason: str
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await container.authenticate_key().execute(token)
    assert refused.value.detail == reason


@pytest.mark.parametrize("role", list(Role))
async def test_a_created_key_authenticates_with_its_role_at_once(
    container: Container, clock: FixedClock, role: Role
) -> None:
    made = await container.create_api_key().execute(role, name="ci robot")

    principal = await container.authenticate_key().execute(made.token)

    assert principal.role is role
    assert principal.subject == f"key:{token_digest(made.token)[:12]}"
    assert (made.key.created_at, made.key.role, made.key.name) == (clock.now(), role, "ci robot")
    assert made.key.id


async def test_only_the_hash_of_a_created_token_is_stored(container: Container) -> None:
    made = await container.create_api_key().execute(Role.READER)

    assert made.token.startswith(TOKEN_PREFIX)
    assert len(made.token) == len(TOKEN_PREFIX) + 43  # 32 random bytes, base64url
    assert made.key.name == ""
    assert made.key.token_sha256 == token_digest(made.token)
    assert made.token not in repr(made.key)
    assert made.token not in repr(await container.list_api_keys().execute())


async def test_every_created_key_has_its_own_token_subject_and_id(container: Container) -> None:
    first = await container.create_api_key().execute(Role.EDITOR)
    second = await container.create_api_key().execute(Role.EDITOR)

    authenticate = container.authenticate_key()
    assert first.token != second.token
    assert first.key.id != second.key.id
    assert (await authenticate.execute(first.token)).subject != (
        await authenticate.execute(second.token)
    ).subject


async def test_a_token_that_differs_by_one_character_is_unauthenticated(
    container: Container,
) -> None:
    token = (await container.create_api_key().execute(Role.ADMIN)).token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    with pytest.raises(Unauthenticated):
        await container.authenticate_key().execute(tampered)


@pytest.mark.settings(auth__api_keys=f" {token_digest(CONFIGURED_TOKEN).upper()}:admin , ")
async def test_a_key_configured_in_the_settings_authenticates_is_listed_and_not_revocable(
    container: Container,
) -> None:
    principal = await container.authenticate_key().execute(CONFIGURED_TOKEN)
    [listed] = await container.list_api_keys().execute()

    assert principal.role is Role.ADMIN
    assert principal.subject == f"key:{token_digest(CONFIGURED_TOKEN)[:12]}"
    assert listed.id == f"settings:{token_digest(CONFIGURED_TOKEN)[:12]}"
    with pytest.raises(
        Conflict, match=r"^this key is given in ASKDOCS_AUTH__API_KEYS: remove it there$"
    ):
        await container.revoke_api_key().execute(listed.id or "")


async def test_a_revoked_key_stops_at_once_and_stays_listed_as_revoked(
    container: Container, clock: FixedClock
) -> None:
    kept = await container.create_api_key().execute(Role.READER, name="kept")
    made = await container.create_api_key().execute(Role.READER, name="leaked")
    await container.authenticate_key().execute(made.token)

    revoked = await container.revoke_api_key().execute(made.key.id or "")

    with pytest.raises(Unauthenticated):
        await container.authenticate_key().execute(made.token)
    assert (await container.authenticate_key().execute(kept.token)).role is Role.READER
    assert revoked.revoked_at == clock.now()
    listed = {k.name: k.revoked_at for k in await container.list_api_keys().execute()}
    assert listed == {"kept": None, "leaked": clock.now()}


async def test_revoking_an_unknown_key_is_not_found(container: Container) -> None:
    with pytest.raises(NotFound, match=r"^no API key no-such-key$"):
        await container.revoke_api_key().execute("no-such-key")


async def test_a_key_stops_working_when_it_expires(container: Container, clock: FixedClock) -> None:
    made = await container.create_api_key().execute(
        Role.EDITOR, expires_at=clock.now() + timedelta(hours=1)
    )
    await container.authenticate_key().execute(made.token)

    clock.advance(3600)

    with pytest.raises(Unauthenticated):
        await container.authenticate_key().execute(made.token)


@pytest.mark.parametrize("name", ["x" * 101, "tab\there", "line\nbreak"])
async def test_a_key_name_too_long_or_with_control_characters_is_refused(
    container: Container, name: str
) -> None:
    with pytest.raises(InvalidInput, match=r"^a key name is up to 100 printable characters$"):
        await container.create_api_key().execute(Role.READER, name=name)


async def test_a_key_name_may_be_as_long_as_the_limit_and_is_trimmed(container: Container) -> None:
    made = await container.create_api_key().execute(Role.READER, name=" " + "x" * 100 + " ")

    assert made.key.name == "x" * 100
    assert container.create_api_key().make(Role.READER).key.name == ""


async def test_an_expiry_in_the_past_is_refused(container: Container, clock: FixedClock) -> None:
    with pytest.raises(InvalidInput, match=r"^a key's expiry must be in the future$"):
        await container.create_api_key().execute(Role.READER, expires_at=clock.now())


async def test_the_first_admin_key_is_made_once(container: Container) -> None:
    first = await container.create_first_admin_key().execute()
    again = await container.create_first_admin_key().execute()

    assert first is not None
    assert again is None
    assert first.key.name == "first admin key"
    assert (await container.authenticate_key().execute(first.token)).role is Role.ADMIN


async def test_use_is_recorded_at_most_once_a_minute(container: Container, clock: FixedClock):
    made = await container.create_api_key().execute(Role.READER)
    authenticate = container.authenticate_key()

    await authenticate.execute(made.token)
    first_use = clock.now()
    clock.advance(30)
    await authenticate.execute(made.token)
    [listed] = await container.list_api_keys().execute()
    assert listed.last_used_at == first_use

    clock.advance(30)  # a minute to the second after the first use
    await authenticate.execute(made.token)
    [listed] = await container.list_api_keys().execute()
    assert listed.last_used_at == clock.now()


async def test_a_key_revoked_by_another_process_stops_within_the_lookup_cache_lifetime(
    clock: FixedClock,
) -> None:
    shared = InMemoryApiKeyStore()  # stands for the database both processes use
    now = [0.0]
    this_process = ConfiguredThenStoredKeys((), shared, ttl_s=1.0, timer=lambda: now[0])
    other_process = ConfiguredThenStoredKeys((), shared, ttl_s=1.0, timer=lambda: now[0])
    key = ApiKey(token_digest("t"), Role.READER, created_at=clock.now(), id="k1")
    await other_process.add(key)
    authenticate = AuthenticateKey(this_process, clock)
    await authenticate.execute("t")  # a new key works at once, and is now cached here

    await other_process.revoke("k1", clock.now())
    now[0] = 0.5
    still_cached = await authenticate.execute("t")
    now[0] = 1.01

    assert still_cached.role is Role.READER
    with pytest.raises(Unauthenticated):
        await authenticate.execute("t")
