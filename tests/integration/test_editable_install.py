"""`pip install -e .` (and uv's) makes `askdocs` the checkout's own files, edits seen at once.

The checkout is copied to a folder that is not named askdocs, so nothing but the editable
install can make it importable under that name; the copy is what gets edited.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.packaging import copy_source_tree, run, uv_command

pytestmark = pytest.mark.slow

PROBE = """
import importlib.resources, pathlib
import askdocs, askdocs.domain
print(pathlib.Path(askdocs.__file__).resolve())
print(pathlib.Path(askdocs.domain.__file__).resolve())
print(sorted(e.name for e in importlib.resources.files("askdocs.migrations").iterdir())[0])
"""

PROBE_EDITS = """
import askdocs, askdocs.domain.edited_after_install, askdocs.added_after_install.module
print(askdocs.__version__)
print(askdocs.domain.edited_after_install.ANSWER)
print(askdocs.added_after_install.module.ANSWER)
"""


def _install_editable(installer: str, tree: Path, venv: Path) -> Path:
    """A fresh venv with `tree` installed editable (no dependencies: the import is what is
    under test); returns its python."""
    python = venv / "bin" / "python"
    if installer == "pip":
        run([sys.executable, "-m", "venv", venv], cwd=venv.parent)
        run([python, "-m", "pip", "install", "-q", "--no-deps", "-e", tree], cwd=venv.parent)
    else:
        uv = uv_command()
        run([*uv, "venv", "--python", sys.executable, venv], cwd=venv.parent)
        run([*uv, "pip", "install", "--python", python, "--no-deps", "-e", tree], cwd=venv.parent)
    return python


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_an_editable_install_imports_the_source_tree_and_sees_its_edits(
    installer: str, tmp_path: Path
) -> None:
    tree = copy_source_tree(tmp_path / "checkout")
    python = _install_editable(installer, tree, tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    package_file, domain_file, first_migration = run(
        [python, "-c", PROBE], cwd=elsewhere
    ).stdout.split()
    assert Path(package_file) == (tree / "__init__.py").resolve()
    assert Path(domain_file) == (tree / "domain" / "__init__.py").resolve()
    assert first_migration == sorted(p.name for p in (tree / "migrations").iterdir())[0]

    # Edit the tree after installing: a changed module, a new module, a new subpackage.
    init = tree / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "99.'))
    (tree / "domain" / "edited_after_install.py").write_text("ANSWER = 42\n")
    added = tree / "added_after_install"
    added.mkdir()
    (added / "__init__.py").write_text("")
    (added / "module.py").write_text("ANSWER = 'seen'\n")

    version, edited, new_package = run([python, "-c", PROBE_EDITS], cwd=elsewhere).stdout.split()
    assert version.startswith("99.")
    assert edited == "42"
    assert new_package == "seen"
