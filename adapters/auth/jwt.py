"""BearerTokenVerifier over PyJWT: JWTs signed with a shared secret or a provider's JWKS keys."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import jwt

from askdocs.adapters.auth.algorithms import HMAC_ALGORITHMS, MIN_SECRET_BYTES
from askdocs.application.errors import InvalidToken
from askdocs.domain.principals import TokenClaims

REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, "the token comes from an issuer this service does not trust"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not one this service accepts"),
    (jwt.InvalidKeyError, "the token's signing key is not acceptable"),
)
"""What a client is told for each PyJWT error; anything else is a malformed token."""


class SigningKeys(Protocol):
    """Where the key that checks a token's signature comes from."""

    algorithms: tuple[str, ...]

    async def key_for(self, kid: str | None, algorithm: str) -> jwt.PyJWK | bytes | None: ...

    async def aclose(self) -> None: ...


class SharedSecret:
    """One HMAC secret shared with the token issuer.

    Raises:
        ValueError: a secret shorter than 32 bytes (RFC 7518 asks for at least the hash's
            length), or an algorithm that is not HMAC.
    """

    def __init__(self, secret: str, *, algorithms: Sequence[str]) -> None:
        self._secret = secret.encode("utf-8")
        if len(self._secret) < MIN_SECRET_BYTES:
            raise ValueError(f"a JWT secret needs at least {MIN_SECRET_BYTES} bytes")
        if not algorithms or not set(algorithms) <= HMAC_ALGORITHMS:
            raise ValueError(f"a shared secret verifies only {sorted(HMAC_ALGORITHMS)}")
        self.algorithms = tuple(algorithms)

    async def key_for(self, kid: str | None, algorithm: str) -> bytes:
        return self._secret

    async def aclose(self) -> None:
        """Nothing to release."""


class JwtBearerTokenVerifier:
    """BearerTokenVerifier: checks a JWT's signature, `exp` (required), `nbf`, `iss` and `aud`.

    The algorithm is pinned: a token whose header names one its keys are not for (`none`
    included) is refused before any key is looked up, and the key found is bound to that one
    algorithm.

    Args:
        keys: the secret or the JWKS key set; its `algorithms` are the only ones accepted.
        issuer: the `iss` every token must carry.
        audience: a value the token's `aud` must hold (this service's identifier).
        leeway_s: clock skew tolerated on `exp`, `nbf` and `iat`.
        grants_claim: the claim holding roles or scopes, as a list of strings or one
            space-separated string (OAuth's `scope`).
    """

    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuer: str,
        audience: str,
        leeway_s: float,
        grants_claim: str,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._grants_claim = grants_claim

    async def verify(self, token: str) -> TokenClaims:
        with _as_invalid_token():
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if not isinstance(algorithm, str) or algorithm not in self._keys.algorithms:
                raise InvalidToken("the token's algorithm is not one this service accepts")
            kid = header.get("kid")
            if kid is not None and not isinstance(kid, str):
                raise InvalidToken("the token's key id is not a string")
            key = await self._keys.key_for(kid, algorithm)
            if key is None:
                raise InvalidToken("the token is signed with a key this service does not know")
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway_s,
                options={"require": REQUIRED_CLAIMS, "enforce_minimum_key_length": True},
            )
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("the token's subject is empty")
        return TokenClaims(issuer=self._issuer, subject=subject, grants=self._grants(claims))

    async def aclose(self) -> None:
        """Release what the key source holds open (the JWKS client)."""
        await self._keys.aclose()

    def _grants(self, claims: dict[str, Any]) -> tuple[str, ...]:
        value = claims.get(self._grants_claim)
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise InvalidToken(
            f"the token's {self._grants_claim} claim is neither a list of strings nor a "
            "space-separated string"
        )


@contextlib.contextmanager
def _as_invalid_token() -> Iterator[None]:
    """PyJWT's errors as InvalidToken, with a reason a client can act on and no token text."""
    try:
        yield
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"the token lacks its {exc.claim} claim") from exc
    except jwt.PyJWTError as exc:
        reason = next((text for kind, text in _REASONS if isinstance(exc, kind)), None)
        raise InvalidToken(reason or "the token is malformed") from exc
