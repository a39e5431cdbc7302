"""core.http.url_of_rows: a list's row addresses, reversed once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.core.http import url_of_rows


@pytest.mark.parametrize("name", ["step", "step-claim", "step-release"])
def test_each_row_gets_the_address_reverse_gives(name: str) -> None:
    address = url_of_rows(name)
    for pk in (1, 42, 7_340_032_000_017, 10**12):
        assert address(pk) == reverse(name, args=[pk])


def test_a_url_without_an_argument_is_refused() -> None:
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        url_of_rows("worklist")


def test_a_row_id_is_only_ever_a_number() -> None:
    with pytest.raises(ValueError):
        url_of_rows("step")("1/../../admin")  # type: ignore[arg-type]
