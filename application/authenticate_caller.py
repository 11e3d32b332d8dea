"""AuthenticateCaller: an API key, or a JWT bearer token from an identity provider."""

from __future__ import annotations

import dataclasses
import re

from askdocs.application.api_keys import AuthenticateKey
from askdocs.application.errors import InsufficientScope, InvalidToken
from askdocs.application.ports import BearerTokenVerifier
from askdocs.domain.principals import Principal, RoleMap

_JWT_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
"""Three base64url segments joined by dots (the signature is empty in an unsigned token, which
must still be judged, and refused, as a token). API keys never hold a dot."""


def looks_like_jwt(credential: str) -> bool:
    """Whether a bearer credential is shaped like a JWT rather than an API key."""
    return _JWT_SHAPE.fullmatch(credential) is not None


@dataclasses.dataclass(frozen=True, slots=True)
class AuthenticateCaller:
    """Find the principal behind the credential a request presents.

    A key in `X-API-Key` is always an API key. A bearer credential shaped like a JWT goes to
    the token verifier, when one is configured; any other bearer credential is an API key.

    Raises:
        Unauthenticated: no credential, or an unknown API key.
        InvalidToken: a JWT that fails verification, or one presented while no verifier is
            configured.
        InsufficientScope: a valid JWT whose grants map to no role.
        UpstreamUnavailable: the verifier cannot fetch the keys it needs.
    """

    keys: AuthenticateKey
    tokens: BearerTokenVerifier | None
    roles: RoleMap

    async def execute(self, *, api_key: str = "", bearer: str = "") -> Principal:
        if api_key or not looks_like_jwt(bearer):
            return await self.keys.execute(api_key or bearer)
        if self.tokens is None:
            raise InvalidToken("this service does not accept JWT bearer tokens")
        claims = await self.tokens.verify(bearer)
        role = self.roles.role_for(claims.grants)
        if role is None:
            raise InsufficientScope("the token grants none of the roles this service maps")
        return Principal(subject=claims.principal_subject, role=role)
