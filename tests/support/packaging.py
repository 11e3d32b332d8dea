"""Building and installing askdocs from a scratch copy of the source tree, in clean venvs.

Builds run on a copy so that setuptools' build/ and *.egg-info folders, and any edit a test
makes, never land in the real checkout.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE_ROOT = Path(__file__).resolve().parents[2]
# The folders that make up the package, beside the root's __init__.py and py.typed.
PACKAGE_FOLDERS = ("domain", "application", "adapters", "entrypoints", "migrations")
TIMEOUT_S = 600

_NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".nox",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    ".hypothesis",
    ".artifacts",
    "htmlcov",
    ".coverage*",
)


def copy_source_tree(target: Path) -> Path:
    """Copy the checkout (without caches, venvs and build output) to `target`; skip the test
    when it does not run from a checkout."""
    if not (SOURCE_ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    shutil.copytree(SOURCE_ROOT, target, ignore=_NOT_SOURCE)
    return target


def uv_command() -> list[str]:
    """The uv command (uv is in the test dependency group)."""
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    found = shutil.which("uv")
    if found is None:
        pytest.fail("uv not found: install the 'test' dependency group")
    return [found]


def clean_env() -> dict[str, str]:
    """The environment without anything that could put the working tree on sys.path."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
        env.pop(name, None)
    return env


def run(
    args: list[str | Path], cwd: Path, *, status: int = 0, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command in the clean environment (plus `env`); fail the test with its output
    unless it exits with `status`."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**clean_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result.returncode == status, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result
