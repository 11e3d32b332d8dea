"""The bearer-token verifier and role map the `auth.jwt` settings describe."""

from __future__ import annotations

from askdocs.adapters.auth.jwks import JwksKeySet
from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SharedSecret, SigningKeys
from askdocs.domain.principals import Role, RoleMap
from askdocs.entrypoints.auth_settings import JwtSettings


def build_bearer_verifier(jwt: JwtSettings) -> JwtBearerTokenVerifier | None:
    """A verifier over the shared secret or the JWKS URL; None while JWT is off."""
    keys: SigningKeys
    if jwt.secret:
        keys = SharedSecret(jwt.secret, algorithms=jwt.accepted_algorithms)
    elif jwt.jwks_url:
        keys = JwksKeySet(
            jwt.jwks_url,
            algorithms=jwt.accepted_algorithms,
            cache_s=jwt.jwks_cache_s,
            refetch_s=jwt.jwks_refetch_s,
        )
    else:
        return None
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
