"""`auth.jwt` settings: off by default, defaults by mode, and every unsafe value refused at load."""

from __future__ import annotations

import pytest

from askdocs.domain.principals import Role
from askdocs.entrypoints.auth_wiring import build_bearer_verifier, build_role_map
from askdocs.entrypoints.settings import SettingsError, load_settings
from tests.support.tokens import AUDIENCE, ISSUER, ROLE_MAP, SECRET

JWKS_URL = "https://idp.example.test/certs"
SECRET_MODE = {
    "ASKDOCS_AUTH__JWT__SECRET": SECRET,
    "ASKDOCS_AUTH__JWT__ISSUER": ISSUER,
    "ASKDOCS_AUTH__JWT__AUDIENCE": AUDIENCE,
    "ASKDOCS_AUTH__JWT__ROLE_MAP": ROLE_MAP,
}
JWKS_MODE = {
    **{k: v for k, v in SECRET_MODE.items() if not k.endswith("SECRET")},
    "ASKDOCS_AUTH__JWT__JWKS_URL": JWKS_URL,
}


def test_jwt_is_off_by_default_and_builds_no_verifier() -> None:
    jwt = load_settings({}).auth.jwt

    assert not jwt.enabled
    assert build_bearer_verifier(jwt) is None


@pytest.mark.parametrize(
    ("environment", "algorithms"),
    [(SECRET_MODE, ("HS256",)), (JWKS_MODE, ("RS256", "ES256"))],
    ids=["secret", "jwks"],
)
def test_each_mode_accepts_its_own_algorithms_by_default(
    environment: dict[str, str], algorithms: tuple[str, ...]
) -> None:
    jwt = load_settings(environment).auth.jwt

    assert jwt.enabled
    assert jwt.accepted_algorithms == algorithms
    assert build_bearer_verifier(jwt) is not None


def test_the_role_map_reads_grant_role_pairs_and_grants_may_hold_colons() -> None:
    settings = load_settings(
        {**SECRET_MODE, "ASKDOCS_AUTH__JWT__ROLE_MAP": " api://askdocs/read:reader , admins:admin"}
    )

    role_map = build_role_map(settings.auth.jwt)

    assert dict(role_map.roles) == {"api://askdocs/read": Role.READER, "admins": Role.ADMIN}


REFUSED = [
    ({"ASKDOCS_AUTH__JWT__SECRET": "only-31-bytes-long-secret-12345"}, "at least 32 bytes"),
    ({"ASKDOCS_AUTH__JWT__JWKS_URL": JWKS_URL}, "not both"),
    ({"ASKDOCS_AUTH__JWT__ALGORITHMS": "RS256"}, "cannot be used with a shared secret"),
    ({"ASKDOCS_AUTH__JWT__ALGORITHMS": "HS256,none"}, "none cannot be used"),
    ({"ASKDOCS_AUTH__JWT__ROLE_MAP": ""}, "role_map must map"),
    ({"ASKDOCS_AUTH__JWT__ROLE_MAP": "askdocs.read:owner"}, "not grant:role"),
    ({"ASKDOCS_AUTH__JWT__ROLE_MAP": "reader"}, "not grant:role"),
    ({"ASKDOCS_AUTH__JWT__ISSUER": ""}, "issuer and audience"),
    ({"ASKDOCS_AUTH__JWT__AUDIENCE": ""}, "issuer and audience"),
    ({"ASKDOCS_AUTH__JWT__ROLES_CLAIM": ""}, "roles_claim"),
    ({"ASKDOCS_AUTH__JWT__LEEWAY_S": "-1"}, ">= 0"),
]
REFUSED_WITH_JWKS = [
    ({"ASKDOCS_AUTH__JWT__ALGORITHMS": "RS256,HS256"}, "cannot be used with keys from a JWKS"),
    ({"ASKDOCS_AUTH__JWT__ALGORITHMS": "none"}, "cannot be used with keys from a JWKS"),
    ({"ASKDOCS_AUTH__JWT__JWKS_URL": "file:///etc/jwks.json"}, "http"),
    ({"ASKDOCS_AUTH__JWT__JWKS_URL": "idp.example.test/certs"}, "http"),
    ({"ASKDOCS_AUTH__JWT__JWKS_URL": "https:///certs"}, "http"),
]


@pytest.mark.parametrize(("change", "reason"), REFUSED, ids=[r for _, r in REFUSED])
def test_an_unsafe_secret_mode_setting_is_refused_at_load(
    change: dict[str, str], reason: str
) -> None:
    with pytest.raises(SettingsError, match=reason):
        load_settings({**SECRET_MODE, **change})


@pytest.mark.parametrize(
    ("change", "reason"), REFUSED_WITH_JWKS, ids=[str(c) for c, _ in REFUSED_WITH_JWKS]
)
def test_an_unsafe_jwks_mode_setting_is_refused_at_load(
    change: dict[str, str], reason: str
) -> None:
    with pytest.raises(SettingsError, match=reason):
        load_settings({**JWKS_MODE, **change})


def test_a_malformed_role_map_is_refused_even_with_jwt_off() -> None:
    with pytest.raises(SettingsError, match="not grant:role"):
        load_settings({"ASKDOCS_AUTH__JWT__ROLE_MAP": "askdocs.read:superuser"})
