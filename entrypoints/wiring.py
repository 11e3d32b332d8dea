"""Values the container derives from settings: rate-limit rules, configured keys, paths."""

from __future__ import annotations

import os
from pathlib import Path

from askdocs.application.rate_limits import RateLimitRules
from askdocs.domain.principals import ApiKey, Role
from askdocs.domain.rate_limits import RateLimitPolicy, RateLimitRule
from askdocs.entrypoints.settings import RoleLimits, Settings, SettingsError

CHAT = "chat"
DOCUMENT_WRITES = "document_writes"


def rate_limit_rules(settings: Settings) -> RateLimitRules:
    """Route group -> role -> rule, from the per-role limits in settings."""
    window = settings.rate_limit.window_s
    by_role: dict[Role, RoleLimits] = {
        Role.READER: settings.rate_limit.reader,
        Role.EDITOR: settings.rate_limit.editor,
        Role.ADMIN: settings.rate_limit.admin,
    }

    def rule(limit: int) -> RateLimitRule:
        policy = RateLimitPolicy(limit=limit, window_s=window)
        return RateLimitRule(per_ip=policy, per_principal=policy)

    return {
        CHAT: {role: rule(limits.chat_per_window) for role, limits in by_role.items()},
        DOCUMENT_WRITES: {
            role: rule(limits.writes_per_window)
            for role, limits in by_role.items()
            if role.allows(Role.EDITOR)
        },
    }


def failed_sign_in_policy(settings: Settings) -> RateLimitPolicy:
    """How many failed authentications a client IP may make, and in what window."""
    limits = settings.rate_limit
    return RateLimitPolicy(
        limit=limits.failed_sign_ins_per_window, window_s=limits.failed_sign_ins_window_s
    )


def api_keys_from_setting(value: str) -> list[ApiKey]:
    """Keys from `sha256:role,sha256:role`."""
    keys: list[ApiKey] = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        digest, _, role = entry.partition(":")
        if len(digest) != 64 or role not in {r.value for r in Role}:
            raise SettingsError(
                "ASKDOCS_AUTH__API_KEYS takes comma-separated sha256:role pairs "
                "(role: reader, editor or admin)"
            )
        keys.append(ApiKey(token_sha256=digest.lower(), role=Role(role)))
    return keys


def blob_root(configured: str) -> Path:
    """The blob directory: the setting, else $XDG_DATA_HOME/askdocs/blobs."""
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "askdocs" / "blobs"


def comma_separated(value: str) -> list[str]:
    """The non-empty, trimmed items of a comma-separated setting."""
    return [item.strip() for item in value.split(",") if item.strip()]


def worker_concurrency(configured: int, *, per_core: int) -> int:
    """Jobs, or parsing processes, at once: the setting, or `per_core` per CPU core."""
    return configured if configured > 0 else per_core * max(os.cpu_count() or 1, 1)


def prometheus_multiprocess_dir() -> str | None:
    """`PROMETHEUS_MULTIPROC_DIR`, the directory prometheus_client's processes share (read by
    prometheus_client itself when first imported), or None when unset: one process alone."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
