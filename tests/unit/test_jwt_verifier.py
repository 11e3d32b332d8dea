"""JwtBearerTokenVerifier with keys the tests make: a shared secret, and RSA and EC keys
published as a JWKS through httpx's MockTransport (no sockets here)."""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest

from askdocs.adapters.auth.jwks import JwksKeySet
from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SharedSecret
from askdocs.application.errors import InvalidToken, UpstreamUnavailable
from tests.support.tokens import (
    AUDIENCE,
    ISSUER,
    SECRET,
    SigningKey,
    bearer_verifier,
    ec_key,
    forged,
    hs256,
    jwks,
    rsa_key,
)

JWKS_URL = "https://idp.example.test/protocol/openid-connect/certs"
RSA = rsa_key()
EC = ec_key()


class JwksEndpoint:
    """A JWKS answered through a MockTransport: a document, or an HTTP status, or a refused
    connection; `fetches` counts the requests."""

    def __init__(self, *keys: SigningKey, with_alg: bool = True) -> None:
        self.document = jwks(*keys, with_alg=with_alg)
        self.status = 200
        self.fetches = 0

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        if self.status == 0:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(self.status, json=self.document)


def jwks_verifier(
    endpoint: JwksEndpoint, algorithms: tuple[str, ...] = ("RS256", "ES256"), **options: object
) -> JwtBearerTokenVerifier:
    keys = JwksKeySet(
        JWKS_URL,
        algorithms=algorithms,
        cache_s=300,
        refetch_s=30,
        transport=httpx.MockTransport(endpoint.answer),
    )
    return bearer_verifier(keys, **options)


def secret_verifier(**options: object) -> JwtBearerTokenVerifier:
    return bearer_verifier(SharedSecret(SECRET, algorithms=("HS256",)), **options)


def verifier_and_token(algorithm: str, **claims: object) -> tuple[JwtBearerTokenVerifier, str]:
    """A verifier for `algorithm` and a token it should accept, but for `claims`."""
    if algorithm == "HS256":
        return secret_verifier(), hs256(**claims)
    key = RSA if algorithm == "RS256" else EC
    return jwks_verifier(JwksEndpoint(RSA, EC)), key.sign(**claims)


ALGORITHMS = ["HS256", "RS256", "ES256"]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_a_valid_token_yields_its_issuer_subject_and_grants(algorithm: str) -> None:
    verifier, token = verifier_and_token(algorithm, sub="alice", scope="openid askdocs.read")

    claims = await verifier.verify(token)

    assert (claims.issuer, claims.subject) == (ISSUER, "alice")
    assert claims.grants == ("openid", "askdocs.read")


@pytest.mark.parametrize("with_alg", [True, False], ids=["alg named", "alg inferred"])
async def test_jwks_keys_verify_whether_or_not_they_name_their_algorithm(with_alg: bool) -> None:
    verifier = jwks_verifier(JwksEndpoint(RSA, EC, with_alg=with_alg))

    for key in (RSA, EC):
        assert (await verifier.verify(key.sign(sub=key.kid))).subject == key.kid


@pytest.mark.parametrize(
    ("verifier", "token"),
    [
        (lambda: secret_verifier(), lambda: hs256("another-secret-that-is-32-bytes-long!!")),
        (lambda: jwks_verifier(JwksEndpoint(RSA)), lambda: rsa_key(RSA.kid).sign()),
        (lambda: jwks_verifier(JwksEndpoint(EC)), lambda: ec_key(EC.kid).sign()),
        (lambda: secret_verifier(), lambda: hs256()[:-4] + "AAAA"),
    ],
    ids=["HS256 other secret", "RS256 other key", "ES256 other key", "HS256 altered"],
)
async def test_a_wrong_signature_is_an_invalid_token(verifier, token) -> None:
    with pytest.raises(InvalidToken, match="signature"):
        await verifier().verify(token())


async def test_a_payload_changed_after_signing_is_an_invalid_token() -> None:
    header, _, signature = RSA.sign(scope="askdocs.read").split(".")
    _, payload, _ = RSA.sign(scope="askdocs.admin").split(".")

    with pytest.raises(InvalidToken, match="signature"):
        await jwks_verifier(JwksEndpoint(RSA)).verify(f"{header}.{payload}.{signature}")


@dataclasses.dataclass(frozen=True)
class FromNow:
    """A time claim this many seconds from when the test runs (not from collection, which may
    be minutes earlier in a long run)."""

    seconds: int

    def at_run(self) -> int:
        return int(time.time()) + self.seconds


REFUSED_CLAIMS = [
    ({"aud": "another-service"}, "audience"),
    ({"aud": ["another-service", "billing"]}, "audience"),
    ({"iss": "https://evil.example.test"}, "issuer"),
    ({"exp": FromNow(-120)}, "expired"),
    ({"nbf": FromNow(120)}, "not valid yet"),
    ({"exp": None}, "lacks its exp"),
    ({"iss": None}, "lacks its iss"),
    ({"aud": None}, "lacks its aud"),
    ({"sub": None}, "lacks its sub"),
    ({"sub": ""}, "subject"),
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(("claims", "reason"), REFUSED_CLAIMS, ids=[r for _, r in REFUSED_CLAIMS])
async def test_a_token_not_meant_for_this_service_or_not_valid_now_is_refused(
    algorithm: str, claims: dict[str, object], reason: str
) -> None:
    timed = {k: v.at_run() if isinstance(v, FromNow) else v for k, v in claims.items()}
    verifier, token = verifier_and_token(algorithm, **timed)

    with pytest.raises(InvalidToken, match=reason):
        await verifier.verify(token)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_clock_skew_within_the_leeway_is_tolerated(algorithm: str) -> None:
    now = int(time.time())
    verifier, token = verifier_and_token(algorithm, exp=now - 10, nbf=now + 10, iat=now + 10)

    assert (await verifier.verify(token)).issuer == ISSUER


async def test_a_token_among_several_audiences_is_accepted() -> None:
    claims = await secret_verifier().verify(hs256(aud=["billing", AUDIENCE]))

    assert claims.issuer == ISSUER


async def test_a_leeway_of_zero_tolerates_no_skew() -> None:
    with pytest.raises(InvalidToken, match="expired"):
        await secret_verifier(leeway_s=0).verify(hs256(exp=int(time.time()) - 10))


UNSIGNED_HEADERS = [{"alg": "none"}, {"alg": "None"}, {"alg": "NONE"}, {"typ": "JWT"}]


@pytest.mark.parametrize("header", UNSIGNED_HEADERS, ids=str)
@pytest.mark.parametrize("make", [secret_verifier, lambda: jwks_verifier(JwksEndpoint(RSA))])
async def test_an_unsigned_token_is_refused(header: dict[str, object], make) -> None:
    with pytest.raises(InvalidToken, match="algorithm"):
        await make().verify(forged({**header, "kid": RSA.kid}))


async def test_an_hs256_token_keyed_with_the_providers_public_key_is_refused() -> None:
    """The key-confusion forgery: anyone can read the public key from the JWKS."""
    endpoint = JwksEndpoint(RSA)
    token = forged({"alg": "HS256", "kid": RSA.kid}, RSA.public_pem(), scope="askdocs.admin")

    with pytest.raises(InvalidToken, match="algorithm"):
        await jwks_verifier(endpoint).verify(token)


async def test_a_token_claiming_an_algorithm_of_another_key_family_is_refused() -> None:
    """An EC key's id with an RSA algorithm: the key is bound to ES256 and nothing else."""
    token = forged({"alg": "RS256", "kid": EC.kid}, b"whatever")

    with pytest.raises(InvalidToken):
        await jwks_verifier(JwksEndpoint(RSA, EC)).verify(token)


async def test_an_algorithm_that_is_not_configured_is_refused_though_the_key_could_verify_it() -> (
    None
):
    rs384 = rsa_key("rsa-384", "RS384")
    verifier = jwks_verifier(JwksEndpoint(rs384, with_alg=False), algorithms=("RS256",))

    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier.verify(rs384.sign())


async def test_a_token_naming_a_key_the_provider_does_not_publish_is_refused() -> None:
    with pytest.raises(InvalidToken, match="key"):
        await jwks_verifier(JwksEndpoint(RSA)).verify(rsa_key("someone-elses").sign())


async def test_keys_published_for_encryption_are_not_used_to_verify() -> None:
    endpoint = JwksEndpoint(RSA)
    endpoint.document["keys"][0]["use"] = "enc"

    with pytest.raises(InvalidToken, match="key"):
        await jwks_verifier(endpoint).verify(RSA.sign())


@pytest.mark.parametrize(
    "token",
    ["", "a.b.c", "a.b.", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "askd_abc", "x" * 5000],
)
async def test_garbage_is_an_invalid_token_never_a_library_error(token: str) -> None:
    for verifier in (secret_verifier(), jwks_verifier(JwksEndpoint(RSA))):
        with pytest.raises(InvalidToken):
            await verifier.verify(token)


@pytest.mark.parametrize(
    ("claim", "value", "grants"),
    [
        ("roles", ["askdocs.read", "askdocs.write"], ("askdocs.read", "askdocs.write")),
        ("scope", "openid  askdocs.write ", ("openid", "askdocs.write")),
        ("scope", None, ()),
    ],
)
async def test_grants_come_from_the_configured_claim_as_a_list_or_a_spaced_string(
    claim: str, value: object, grants: tuple[str, ...]
) -> None:
    token = hs256(**{"scope": None, claim: value})

    assert (await secret_verifier(grants_claim=claim).verify(token)).grants == grants


@pytest.mark.parametrize("value", [7, ["askdocs.read", 7], {"askdocs.read": True}])
async def test_a_grants_claim_of_another_shape_is_an_invalid_token(value: object) -> None:
    with pytest.raises(InvalidToken, match="roles claim"):
        await secret_verifier(grants_claim="roles").verify(hs256(roles=value))


@pytest.mark.parametrize("status", [0, 500, 404])
async def test_a_provider_never_reached_leaves_tokens_unverifiable(status: int) -> None:
    endpoint = JwksEndpoint(RSA)
    endpoint.status = status

    with pytest.raises(UpstreamUnavailable):
        await jwks_verifier(endpoint).verify(RSA.sign())


async def test_a_jwks_that_is_not_a_key_set_leaves_tokens_unverifiable() -> None:
    endpoint = JwksEndpoint(RSA)
    endpoint.document = {"issuer": ISSUER}

    with pytest.raises(UpstreamUnavailable):
        await jwks_verifier(endpoint).verify(RSA.sign())


def test_a_shared_secret_is_never_used_with_a_public_key_algorithm() -> None:
    with pytest.raises(ValueError, match="shared secret"):
        SharedSecret(SECRET, algorithms=("HS256", "RS256"))


def test_a_short_shared_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SharedSecret("too-short", algorithms=("HS256",))


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "none"), ()])
def test_jwks_keys_are_never_used_with_hmac_or_no_algorithm(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        JwksKeySet(JWKS_URL, algorithms=algorithms, cache_s=300, refetch_s=30)
