"""Which signing algorithms each kind of JWT key may verify: apart from the verifiers, so the
settings can check them without importing PyJWT (an extra)."""

from __future__ import annotations

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
"""What a shared secret may verify."""
MIN_SECRET_BYTES = 32
"""The shortest shared secret accepted: an HMAC key shorter than its hash is guessable."""
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
"""What a key from a JWKS may verify. Never an HMAC algorithm: a JWKS is public, and a token
"signed" with a public key as an HMAC secret would verify (the key-confusion attack)."""
