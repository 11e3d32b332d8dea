"""scripts/check_licenses.py (nox -s licenses): how it reads a distribution's license and
judges an SPDX expression against the allow list."""

from __future__ import annotations

import importlib.util
from email.message import Message
from types import ModuleType
from typing import Any

import pytest

from tests.support.packaging import SOURCE_ROOT

ALLOWED = {"MIT", "Apache-2.0", "BSD-3-Clause", "MPL-2.0"}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_licenses", SOURCE_ROOT / "scripts" / "check_licenses.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_licenses = _load_script()


class FakeDistribution:
    """Just the metadata the script reads."""

    def __init__(self, **fields: Any) -> None:
        self.metadata = Message()
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                self.metadata[name.replace("_", "-")] = item


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("MIT", True),
        ("GPL-3.0-only", False),
        ("MIT OR GPL-3.0-only", True),
        ("MIT AND GPL-3.0-only", False),
        ("MPL-2.0 AND MIT", True),
        ("(GPL-2.0-only OR MIT) AND Apache-2.0", True),
        ("GPL-2.0-only OR MIT AND LGPL-3.0-only", False),  # AND binds tighter than OR
        ("GPL-2.0-only WITH Classpath-exception-2.0", False),
        ("Apache-2.0 WITH LLVM-exception", True),
    ],
)
def test_an_expression_is_allowed_by_spdx_precedence(expression: str, allowed: bool) -> None:
    assert check_licenses.satisfied(expression, ALLOWED) is allowed


def test_the_spdx_expression_comes_before_the_license_field_and_the_classifiers() -> None:
    dist = FakeDistribution(
        License_Expression="MIT OR Apache-2.0",
        License="GPL",
        Classifier="License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
    )
    assert check_licenses.declared_expression(dist) == "MIT OR Apache-2.0"


def test_a_one_line_license_field_is_read_through_its_alias() -> None:
    assert check_licenses.declared_expression(FakeDistribution(License="Apache 2.0")) == (
        "Apache-2.0"
    )


def test_several_classifiers_are_a_choice_between_them() -> None:
    dist = FakeDistribution(
        Classifier=[
            "License :: OSI Approved :: MIT License",
            "License :: OSI Approved :: Apache Software License",
            "Programming Language :: Python",
        ]
    )
    assert check_licenses.declared_expression(dist) == "MIT OR Apache-2.0"


def test_a_license_text_instead_of_an_id_is_unreadable_without_classifiers() -> None:
    dist = FakeDistribution(License="MIT License\n\nPermission is hereby granted, ...")
    with pytest.raises(check_licenses.Unreadable):
        check_licenses.declared_expression(dist)


def test_no_license_at_all_is_unreadable() -> None:
    with pytest.raises(check_licenses.Unreadable, match="no license"):
        check_licenses.declared_expression(FakeDistribution(Name="quiet"))
