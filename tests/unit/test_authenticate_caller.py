"""AuthenticateCaller through the real container: API keys and JWTs side by side, and how a
token's grants become a role."""

from __future__ import annotations

import pytest

from askdocs.application.authenticate_caller import looks_like_jwt
from askdocs.application.errors import InsufficientScope, InvalidToken, Unauthenticated
from askdocs.domain.principals import Role, token_digest
from askdocs.entrypoints.container import Container
from tests.support.tokens import AUDIENCE, ISSUER, ROLE_MAP, SECRET, hs256

API_KEY = "askd_a-key-configured-beside-the-tokens"
JWT_ON = {
    "auth__jwt__secret": SECRET,
    "auth__jwt__issuer": ISSUER,
    "auth__jwt__audience": AUDIENCE,
    "auth__jwt__role_map": ROLE_MAP,
    "auth__api_keys": f"{token_digest(API_KEY)}:editor",
}
with_jwt = pytest.mark.settings(**JWT_ON)


@with_jwt
@pytest.mark.parametrize(
    ("scope", "role"),
    [
        ("openid askdocs.read", Role.READER),
        ("askdocs.write", Role.EDITOR),
        ("askdocs.read askdocs.admin askdocs.write", Role.ADMIN),
        ("askdocs.write askdocs.read", Role.EDITOR),
    ],
)
async def test_the_highest_role_the_scope_grants_is_the_callers(
    container: Container, scope: str, role: Role
) -> None:
    principal = await container.authenticate_caller().execute(bearer=hs256(scope=scope))

    assert principal.role is role


@pytest.mark.settings(**JWT_ON, auth__jwt__roles_claim="roles")
async def test_roles_can_come_from_a_list_claim(container: Container) -> None:
    token = hs256(scope="askdocs.admin", roles=["askdocs.read", "askdocs.write"])

    principal = await container.authenticate_caller().execute(bearer=token)

    assert principal.role is Role.EDITOR


@with_jwt
@pytest.mark.parametrize("scope", ["openid profile", "", None, "askdocs.READ"])
async def test_a_valid_token_granting_no_mapped_role_is_insufficient_scope(
    container: Container, scope: str | None
) -> None:
    with pytest.raises(
        InsufficientScope, match=r"^the token grants none of the roles this service maps$"
    ):
        await container.authenticate_caller().execute(bearer=hs256(scope=scope))


@with_jwt
async def test_a_token_holder_is_named_by_issuer_and_subject_the_same_across_tokens(
    container: Container,
) -> None:
    authenticate = container.authenticate_caller()
    first = hs256(sub="alice", scope="askdocs.read")
    second = hs256(sub="alice", scope="askdocs.admin", jti="another-token")

    principals = [await authenticate.execute(bearer=token) for token in (first, second)]

    assert {p.subject for p in principals} == {f"jwt:{ISSUER}#alice"}
    assert (await authenticate.execute(bearer=hs256(sub="bob"))).subject == f"jwt:{ISSUER}#bob"


@with_jwt
async def test_api_keys_still_authenticate_as_bearer_or_in_their_own_header(
    container: Container,
) -> None:
    authenticate = container.authenticate_caller()

    for principal in (
        await authenticate.execute(bearer=API_KEY),
        await authenticate.execute(api_key=API_KEY),
    ):
        assert principal.role is Role.EDITOR
        assert principal.subject.startswith("key:")


@with_jwt
async def test_a_token_in_the_api_key_header_is_judged_as_a_key(container: Container) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await container.authenticate_caller().execute(api_key=hs256())

    assert not isinstance(refused.value, InvalidToken)


@with_jwt
async def test_a_bad_token_is_an_invalid_token(container: Container) -> None:
    with pytest.raises(InvalidToken):
        await container.authenticate_caller().execute(bearer=hs256(aud="someone-else"))


async def test_without_jwt_settings_a_token_is_refused_as_invalid(container: Container) -> None:
    with pytest.raises(InvalidToken, match=r"^this service does not accept JWT bearer tokens$"):
        await container.authenticate_caller().execute(bearer=hs256())


async def test_without_any_credential_the_caller_is_unauthenticated(
    container: Container,
) -> None:
    with pytest.raises(Unauthenticated, match=r"^an API key is required$"):
        await container.authenticate_caller().execute()


@pytest.mark.parametrize(
    ("credential", "is_jwt"),
    [
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl", True),
        ("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", True),
        ("askd_" + "A1-_" * 11, False),
        ("configured-admin-token", False),
        ("a.b", False),
        ("a.b.c.d.e", False),
        ("a.b c.d", False),
        ("a+b.c.d", False),
    ],
)
def test_a_bearer_credential_is_a_jwt_when_it_is_three_base64url_segments(
    credential: str, is_jwt: bool
) -> None:
    assert looks_like_jwt(credential) is is_jwt
