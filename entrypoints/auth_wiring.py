"""The bearer-token verifier and role map the `auth.jwt` settings describe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from askdocs.domain.principals import Role, RoleMap
from askdocs.entrypoints.auth_settings import JwtSettings

if TYPE_CHECKING:
    from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SigningKeys


def build_bearer_verifier(jwt: JwtSettings) -> JwtBearerTokenVerifier | None:
    """A verifier over the shared secret or the JWKS URL; None while JWT is off."""
    if not jwt.enabled:
        return None
    # PyJWT is the `server` extra: imported only once JWT is on.
    from askdocs.adapters.auth.jwks import JwksKeySet
    from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SharedSecret

    keys: SigningKeys
    if jwt.secret:
        keys = SharedSecret(jwt.secret, algorithms=jwt.accepted_algorithms)
    else:
        keys = JwksKeySet(
            jwt.jwks_url,
            algorithms=jwt.accepted_algorithms,
            cache_s=jwt.jwks_cache_s,
            refetch_s=jwt.jwks_refetch_s,
        )
    return JwtBearerTokenVerifier(
        keys,
        issuer=jwt.issuer,
        audience=jwt.audience,
        leeway_s=jwt.leeway_s,
        grants_claim=jwt.roles_claim,
    )


def build_role_map(jwt: JwtSettings) -> RoleMap:
    """Grant -> role, as `auth.jwt.role_map` lists them."""
    return RoleMap({grant: Role(role) for grant, role in jwt.roles.items()})
