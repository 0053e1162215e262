"""No mail template prints a booking's care needs: a mail carries a link to them, never them.

Every template, present and future, is rendered with a booking for someone's mother whose
care needs are written down; none of them may appear in the subject, the text or the HTML.
"""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import ChainableUndefined, Environment, FileSystemLoader, meta, select_autoescape

from carevia.domain.mail.renderer import MAIL_TEMPLATE_DIR
from carevia.domain.shared.language import local
from carevia.domain.shared.money import format_money
from carevia.domain.shared.time_format import format_day, format_local
from tests.support.care import CARE_NEEDS, mother
from tests.unit.test_payment_mails import make_booking

TEMPLATES = sorted(
    path.name for path in MAIL_TEMPLATE_DIR.glob("*.*") if not path.name.startswith("_")
)


def lenient_environment() -> Environment:
    """The mail templates with lenient filters, so each renders without its own context."""
    environment = Environment(
        loader=FileSystemLoader(MAIL_TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=ChainableUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        brand="Carevia", support_email="support@carevia.example", language="en", local=local
    )

    def money(minor: Any, currency: str = "BDT") -> str:
        return format_money(minor, currency) if isinstance(minor, int) else ""

    def localtime(value: Any, *args: Any) -> str:
        return format_local(value, *args) if hasattr(value, "astimezone") else ""

    def day(value: Any) -> str:
        return format_day(value) if hasattr(value, "weekday") else ""

    environment.filters.update(money=money, localtime=localtime, day=day)
    return environment


def test_every_mail_template_is_checked() -> None:
    assert {"booking_confirmed.html", "booking_confirmed.txt", "refunded.txt"} <= set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_mail_template_prints_care_needs(name: str) -> None:
    environment = lenient_environment()
    booking = make_booking(recipient=mother())
    source = (MAIL_TEMPLATE_DIR / name).read_text()
    names = meta.find_undeclared_variables(environment.parse(source))
    # Other values are zero: amounts compare and format, anything else prints as "0".
    context: dict[str, Any] = {key: 0 for key in names - set(environment.globals)}
    # A day's agenda lists its visits; this one is among them.
    context.update(booking=booking, recipient=booking.recipient, visits=[booking])

    rendered = environment.get_template(name).render(context)

    assert booking.recipient is not None and booking.recipient.needs.any()
    assert [value for value in CARE_NEEDS.values() if value in rendered] == []
