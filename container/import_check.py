"""Import every askdocs module the image's extras cover, build the app from the default
settings and render its OpenAPI document: a package left out of the image (ADR 0048), or a
library missing from its root, fails the build here rather than a request later.

``--compile`` then writes the bytecode of every module imported, and only those: the root is
read-only at run time, so without it each process would compile them again at start (~2 s),
and compiling every module installed would add ~35 MB of bytecode never read.
"""

from __future__ import annotations

import importlib
import pkgutil
import py_compile
import ssl
import sys

import askdocs
from askdocs.entrypoints.extras import EXTRAS, installed


def import_everything() -> int:
    absent = {module.split(".")[0] for extra, modules in EXTRAS.items() if not installed(extra)
              for module in modules}  # fmt: skip
    count = 0
    for module in pkgutil.walk_packages(askdocs.__path__, "askdocs."):
        try:
            importlib.import_module(module.name)
        except ModuleNotFoundError as error:
            if (error.name or "").split(".")[0] not in absent:
                raise
        count += 1
    from askdocs.entrypoints.http.app import create_app_from_settings
    from askdocs.entrypoints.settings import load_settings

    app = create_app_from_settings(load_settings())
    app.openapi_schema.to_schema()
    if not ssl.create_default_context().cert_store_stats()["x509_ca"]:
        raise SystemExit("import_check: no CA certificates in the default trust store")
    return count


def compile_imported() -> int:
    compiled = 0
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None) or ""
        if source.startswith(sys.prefix) and source.endswith(".py"):
            py_compile.compile(
                source,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            compiled += 1
    return compiled


if __name__ == "__main__":
    modules = import_everything()
    print(f"import_check: {modules} askdocs modules import, the app builds", file=sys.stderr)
    if "--compile" in sys.argv:
        print(f"import_check: {compile_imported()} modules compiled", file=sys.stderr)
