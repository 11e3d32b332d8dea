"""`askdocs keys create`: a new key, printed once, with the entry that enables it."""

from __future__ import annotations

from askdocs.application.api_keys import new_token
from askdocs.domain.principals import Role, token_digest


def create(role: Role) -> int:
    """Print a new token and the `sha256:role` entry for ASKDOCS_AUTH__API_KEYS."""
    token = new_token()
    print(f"{role.value} API key: {token}")
    print("Keep it secret; askdocs stores only its hash. To enable it, add this entry to")
    print(f"ASKDOCS_AUTH__API_KEYS (comma-separated): {token_digest(token)}:{role.value}")
    return 0
