"""The wheel is what ships: build it, install it in a clean venv, import it, inspect it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 600

pytestmark = pytest.mark.slow


def _uv() -> list[str] | None:
    """The uv command, if uv is on PATH or importable (it is in the test group)."""
    if importlib.util.find_spec("uv") is not None:
        return [sys.executable, "-m", "uv"]
    found = shutil.which("uv")
    return [found] if found else None


def _clean_env() -> dict[str, str]:
    """The environment without anything that could put the working tree on sys.path."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
        env.pop(name, None)
    return env


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, python of a clean venv with the wheel and its dependencies installed)."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    tmp = tmp_path_factory.mktemp("packaging")
    dist, venv = tmp / "dist", tmp / "venv"
    uv = _uv()
    python = venv / "bin" / "python"

    venv_args: list[str | Path] = [sys.executable, "-m", "venv", venv]
    if uv is not None:
        venv_args.insert(3, "--without-pip")
    _run(venv_args, cwd=tmp)

    if uv is not None:
        _run([*uv, "build", "--wheel", "--out-dir", dist, ROOT], cwd=tmp)
    else:
        _run([python, "-m", "pip", "wheel", "--no-deps", "-w", dist, ROOT], cwd=tmp)
    wheels = sorted(dist.glob("askdocs-*.whl"))
    assert len(wheels) == 1, wheels
    wheel = wheels[0]

    if uv is not None:
        _run([*uv, "pip", "install", "--python", python, wheel], cwd=tmp)
    else:
        _run([python, "-m", "pip", "install", "-q", wheel], cwd=tmp)
    return wheel, python


def test_wheel_installs_and_imports_in_a_clean_venv(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, python = built
    result = _run(
        [
            python,
            "-c",
            "import askdocs, askdocs.application, askdocs.domain; "
            "print(askdocs.__version__); print(askdocs.__file__)",
        ],
        cwd=tmp_path,
    )
    version, location = result.stdout.split()
    assert version.count(".") >= 1
    assert Path(location).resolve().is_relative_to(python.parent.parent.resolve()), location


def test_wheel_ships_the_package_and_nothing_else(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops <= {"askdocs", next(t for t in tops if t.endswith(".dist-info"))}, tops
    inner = {name.split("/")[1] for name in names if name.startswith("askdocs/")}
    assert not inner & {"tests", "noxfile.py", ".ci", "docs", "scripts", "Containerfile"}, inner
    assert not [n for n in names if n.endswith("noxfile.py") or "/tests/" in n or "/.ci/" in n]
    assert "askdocs/py.typed" in names
    assert "askdocs/__init__.py" in names
    assert any(n.startswith("askdocs/migrations/") for n in names), names
    assert any(n.startswith("askdocs/domain/") for n in names)
    assert any(n.startswith("askdocs/application/") for n in names)
