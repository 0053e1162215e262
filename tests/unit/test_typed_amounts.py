"""Amounts typed into staff forms: ASCII digits only, and no number too big to check."""

from __future__ import annotations

import pytest

from carevia.controllers.dashboard_bookings import RefundForm
from carevia.domain.catalogue.admin_form import ServiceForm, read_form
from carevia.domain.shared import Invalid

# Arabic-Indic and Bangla five hundred, superscript two, and numbers past any price.
UNREADABLE = ["٥٠٠", "৫০০", "²", "1e400", str(2**80), "NaN", "Infinity", "5e2"]


@pytest.mark.parametrize("amount", UNREADABLE)
def test_a_partial_refund_accepts_only_an_amount_in_ascii_digits(amount: str) -> None:
    with pytest.raises(Invalid) as refused:
        RefundForm(scope="partial", amount=amount).amount_asked()
    assert "amount" in refused.value.fields


@pytest.mark.parametrize(("amount", "minor_units"), [("500", 50000), ("1,250.50", 125050)])
def test_a_partial_refund_reads_taka_as_typed(amount: str, minor_units: int) -> None:
    assert RefundForm(scope="partial", amount=amount).amount_asked() == minor_units


@pytest.mark.parametrize("price", UNREADABLE)
def test_a_service_price_accepts_only_taka_in_ascii_digits(price: str) -> None:
    with pytest.raises(Invalid) as refused:
        read_form(ServiceForm(price_per_hour=price))
    assert "price_per_hour" in refused.value.fields
