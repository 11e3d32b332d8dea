"""Settings of `auth`: API keys, and JWT bearer tokens from an identity provider.

Apart from entrypoints/settings.py to keep both modules small; `Settings.auth` is this tree.
A JWT setting askdocs could not use safely is refused when the settings load, not at the first
request.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

import msgspec

from askdocs.adapters.auth.algorithms import (
    ASYMMETRIC_ALGORITHMS,
    HMAC_ALGORITHMS,
    MIN_SECRET_BYTES,
)
from askdocs.domain.principals import Role

ROLES = tuple(role.value for role in Role)


class JwtSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """JWT bearer tokens (askdocs as an OAuth 2.1 resource server); off unless `secret` or
    `jwks_url` is set."""

    secret: str = ""
    """Shared HMAC secret (32 bytes or more) the token issuer signs with."""
    jwks_url: str = ""
    """The identity provider's JWKS URL (its `jwks_uri`), for RS*/PS*/ES* signed tokens."""
    issuer: str = ""
    """The `iss` every token must carry; required once JWT is on."""
    audience: str = ""
    """A value the token's `aud` must hold (askdocs' identifier at the provider); required
    once JWT is on."""
    algorithms: str = ""
    """Comma-separated accepted algorithms; empty: HS256 with a secret, RS256,ES256 with a
    JWKS. HMAC is never accepted with a JWKS, nor a public-key algorithm with a secret."""
    leeway_s: float = 30.0
    """Clock skew tolerated on `exp`, `nbf` and `iat`."""
    roles_claim: str = "scope"
    """The claim holding the grants: a list of strings (`roles`) or a space-separated string
    (OAuth's `scope`)."""
    role_map: str = ""
    """Comma-separated `grant:role` pairs (`askdocs.read:reader,askdocs.write:editor`); the
    highest role of a token's mapped grants wins, and a token with none is refused (403)."""
    jwks_cache_s: float = 300.0
    """How long fetched keys are used before the JWKS is fetched again."""
    jwks_refetch_s: float = 30.0
    """The least time between two JWKS fetches, so tokens naming unknown keys cannot make
    askdocs hammer the provider."""

    def __post_init__(self) -> None:
        if self.secret and self.jwks_url:
            raise ValueError("auth.jwt: set secret or jwks_url, not both")
        if self.secret and len(self.secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"auth.jwt.secret must be at least {MIN_SECRET_BYTES} bytes")
        if self.jwks_url:
            url = urlsplit(self.jwks_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise ValueError("auth.jwt.jwks_url must be an http(s) URL")
        self._check_algorithms()
        roles = self.roles  # refuses a malformed map, on or off
        if min(self.leeway_s, self.jwks_cache_s, self.jwks_refetch_s) < 0:
            raise ValueError("auth.jwt: leeway_s, jwks_cache_s and jwks_refetch_s are >= 0")
        if not self.enabled:
            return
        if not self.issuer or not self.audience:
            raise ValueError("auth.jwt: issuer and audience are required with JWT on")
        if not roles:
            raise ValueError("auth.jwt.role_map must map at least one grant with JWT on")
        if not self.roles_claim:
            raise ValueError("auth.jwt.roles_claim must name a claim")

    @property
    def enabled(self) -> bool:
        """Whether bearer JWTs are accepted."""
        return bool(self.secret or self.jwks_url)

    @property
    def accepted_algorithms(self) -> tuple[str, ...]:
        """The algorithms listed, or the mode's default."""
        listed = tuple(a.strip() for a in self.algorithms.split(",") if a.strip())
        if listed:
            return listed
        return ("RS256", "ES256") if self.jwks_url else ("HS256",)

    @property
    def roles(self) -> dict[str, str]:
        """Grant -> role, from `role_map`; a grant may itself hold colons (`api://x/read`)."""
        mapped: dict[str, str] = {}
        for entry in filter(None, (part.strip() for part in self.role_map.split(","))):
            grant, _, role = entry.rpartition(":")
            if not grant.strip() or role.strip() not in ROLES:
                raise ValueError(
                    f"auth.jwt.role_map: {entry!r} is not grant:role (role: {', '.join(ROLES)})"
                )
            mapped[grant.strip()] = role.strip()
        return mapped

    def _check_algorithms(self) -> None:
        allowed = sorted(ASYMMETRIC_ALGORITHMS if self.jwks_url else HMAC_ALGORITHMS)
        refused = [a for a in self.accepted_algorithms if a not in allowed]
        if refused:
            source = "keys from a JWKS" if self.jwks_url else "a shared secret"
            raise ValueError(
                f"auth.jwt.algorithms: {', '.join(refused)} cannot be used with {source} "
                f"(allowed: {', '.join(allowed)})"
            )


class AuthSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    api_keys: str = ""
    """Comma-separated `sha256:role` pairs, as printed by `askdocs keys create`; they work
    beside the keys managed live (`/api/v1/keys`, `askdocs keys`). With none here and no
    usable key stored, the first start prints one admin key (embedded: every start)."""
    jwt: JwtSettings = msgspec.field(default_factory=JwtSettings)
    """JWT bearer tokens, beside the API keys."""
    key_store: Literal["auto", "memory", "postgres"] = "auto"
    """Where keys made live (`askdocs keys create`, `/api/v1/keys`) are kept: `memory` (this
    process, lost when it ends) or `postgres`; `auto` follows `documents.backend`."""
