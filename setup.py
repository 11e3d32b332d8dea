"""What pyproject.toml cannot say about building askdocs, whose package folder is the root.

pyproject.toml maps the package ``askdocs`` to the repository root (``package-dir``, ADR 0030).
Three things follow that setuptools' declarative configuration cannot express:

- the package list: every folder with an ``__init__.py`` under the layers and ``migrations``,
  found at build time so that a new subpackage cannot be left out of the wheel;
- the root's own modules: only ``__init__.py`` is part of the package; ``noxfile.py`` and this
  file sit beside it but do not ship;
- a fresh build folder: setuptools reuses ``build/lib``, so a module deleted or renamed in the
  tree would still ship from an earlier build.
"""

from __future__ import annotations

import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

PACKAGE = "askdocs"
SHIPPED_FOLDERS = ("domain", "application", "adapters", "entrypoints", "migrations")


class BuildShippedModules(build_py):
    """build_py from an empty build folder, taking only ``__init__`` from the root's modules."""

    def run(self) -> None:
        if not self.editable_mode:
            shutil.rmtree(self.build_lib, ignore_errors=True)
        super().run()

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules: list[tuple[str, str, str]] = super().find_package_modules(package, package_dir)
        if package != PACKAGE:
            return modules
        return [found for found in modules if found[1] == "__init__"]


def _packages() -> list[str]:
    patterns = [pattern for folder in SHIPPED_FOLDERS for pattern in (folder, f"{folder}.*")]
    return [PACKAGE, *(f"{PACKAGE}.{name}" for name in find_packages(".", include=patterns))]


if __name__ == "__main__":
    setup(packages=_packages(), cmdclass={"build_py": BuildShippedModules})
