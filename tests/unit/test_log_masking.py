"""mask_text: secrets a log line may carry are replaced whatever surrounds them."""

from __future__ import annotations

import pytest

from askdocs.entrypoints.logging import mask_text
from tests.support.tokens import forged, hs256


@pytest.mark.parametrize("token", [hs256(), forged({"alg": "none"})], ids=["signed", "unsigned"])
@pytest.mark.parametrize("template", ["token {}", "got '{}' from client", "{}"])
def test_a_jwt_anywhere_in_a_line_is_masked(token: str, template: str) -> None:
    masked = mask_text(template.format(token))

    assert token.split(".")[1] not in masked
    assert "eyJ***" in masked


def test_words_that_merely_start_like_a_jwt_are_left_alone() -> None:
    assert mask_text("eyJanuary.report") == "eyJanuary.report"
