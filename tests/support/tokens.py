"""Signing keys and JWTs for tests: RSA and EC key pairs made on the spot, their JWKS, and
tokens with whatever claims and header a test needs (unsigned and forged ones included)."""

from __future__ import annotations

import base64
import dataclasses
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from askdocs.adapters.auth.jwt import JwtBearerTokenVerifier, SigningKeys
from askdocs.entrypoints.auth_settings import JwtSettings

ISSUER = "https://idp.example.test/realms/staff"
AUDIENCE = "askdocs"
SECRET = "a-shared-secret-of-well-over-32-bytes-for-hs256"
ROLE_MAP = "askdocs.read:reader,askdocs.write:editor,askdocs.admin:admin"


def bearer_verifier(keys: SigningKeys, **options: Any) -> JwtBearerTokenVerifier:
    """A verifier of ISSUER's tokens for AUDIENCE with the `auth.jwt` defaults, `options` on top."""
    defaults = JwtSettings()
    knobs = {"leeway_s": defaults.leeway_s, "grants_claim": defaults.roles_claim, **options}
    return JwtBearerTokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, **knobs)


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """A private key, its key id, and the algorithm it signs with."""

    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def jwk(self, *, with_alg: bool = True) -> dict[str, Any]:
        """The public half as a JWK, as a provider publishes it."""
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
        jwk.update(kid=self.kid, use="sig")
        if with_alg:
            jwk["alg"] = self.algorithm
        return jwk

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, **overrides: Any) -> str:
        """A token with `claims(**overrides)`, this key's kid and algorithm."""
        return jwt.encode(
            claims(**overrides), self.private, algorithm=self.algorithm, headers={"kid": self.kid}
        )


def rsa_key(kid: str = "rsa-1", algorithm: str = "RS256") -> SigningKey:
    return SigningKey(
        kid, algorithm, rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )


def ec_key(kid: str = "ec-1") -> SigningKey:
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


def jwks(*keys: SigningKey, with_alg: bool = True) -> dict[str, Any]:
    return {"keys": [key.jwk(with_alg=with_alg) for key in keys]}


def claims(**overrides: Any) -> dict[str, Any]:
    """A reader's claims, valid for five minutes; an override of None drops that claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-248289761001",
        "iat": now,
        "exp": now + 300,
        "scope": "openid askdocs.read",
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def hs256(secret: str | bytes = SECRET, **overrides: Any) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return jwt.encode(claims(**overrides), key, algorithm="HS256")


def forged(header: dict[str, Any], secret: bytes | None = None, **overrides: Any) -> str:
    """A token with any header: HMAC-SHA256 signed with `secret` whatever the header says
    (the key-confusion forgery), or with an empty signature when `secret` is None."""
    signing_input = f"{_segment(header)}.{_segment(claims(**overrides))}"
    signature = b"" if secret is None else hmac.digest(secret, signing_input.encode(), "sha256")
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
