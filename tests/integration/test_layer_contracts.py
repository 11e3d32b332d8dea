"""The import-linter contracts in pyproject.toml hold, and they do catch a violation.

import-linter (grimp) analyses whichever ``askdocs`` comes first on sys.path: a copy of the
installed package in tmp_path, put there through PYTHONPATH, so the real one is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import askdocs

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
FORBIDDEN_CONTRACT = "The domain and the application import no third-party package"


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    if found is None:
        pytest.fail("lint-imports not found: install the 'test' dependency group")
    return found


def _copy_package(tmp_path: Path) -> Path:
    source = Path(askdocs.__file__).resolve().parent
    target = tmp_path / "askdocs"
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(
            ".*",
            "__pycache__",
            "*.pyc",
            "tests",
            "docs",
            "scripts",
            "build",
            "dist",
            "noxfile.py",
        ),
    )
    return target


def _run_lint_imports(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if not PYPROJECT.is_file():
        pytest.skip("not running from a source checkout")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tmp_path)
    return subprocess.run(
        [_lint_imports(), str(PYPROJECT), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_contracts_hold_for_the_installed_package(tmp_path: Path) -> None:
    _copy_package(tmp_path)
    result = _run_lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_third_party_import_in_the_domain_breaks_the_contract(tmp_path: Path) -> None:
    package = _copy_package(tmp_path)
    domain_init = package / "domain" / "__init__.py"
    with domain_init.open("a", encoding="utf-8") as handle:
        handle.write("\nimport litestar  # injected by test_layer_contracts\n")
    result = _run_lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{FORBIDDEN_CONTRACT} BROKEN" in output
    assert "askdocs.domain -> litestar" in output
