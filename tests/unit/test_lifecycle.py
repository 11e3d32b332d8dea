"""Start-up hooks of the HTTP app."""

from __future__ import annotations

import gc

from askdocs.entrypoints.container import Container
from askdocs.entrypoints.http.lifecycle import freeze_startup_heap, startup_hooks


async def test_the_startup_heap_is_frozen_last(container: Container) -> None:
    hooks = startup_hooks(container)
    assert hooks[-1] is freeze_startup_heap
    gc.unfreeze()
    try:
        for hook in hooks:
            await hook()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
