"""The support number, by phone and WhatsApp, where people look for help."""

from __future__ import annotations

import re

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from carevia.app import create_app
from carevia.settings import Settings
from tests.support.accounts import Client, UserFactory, log_in
from tests.support.bookings import CaregiverFactory, booking_code, submit_booking

pytestmark = pytest.mark.usefixtures("seeded")
WHATSAPP = re.compile(r'href="https://wa\.me/(\d+)"')


def support_links(page: str) -> tuple[str, str]:
    phone = re.search(r'href="tel:\+(\d+)">([^<]+)</a>', page)
    whatsapp = WHATSAPP.search(page)
    assert phone is not None and whatsapp is not None
    return phone.group(2), whatsapp.group(1)


async def test_the_contact_page_gives_the_number_and_a_digits_only_whatsapp_link(
    client: Client,
) -> None:
    page = (await client.get("/contact")).text
    assert support_links(page) == ("+880 9612-345678", "8809612345678")


async def test_the_header_shows_the_number_on_every_public_page(client: Client) -> None:
    page = (await client.get("/about")).text
    assert '<a class="header-phone" href="tel:+8809612345678">' in page


async def test_the_booking_form_and_the_booking_page_give_the_number(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory
) -> None:
    await make_caregiver("shirin@example.com")
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    form = (await client.get("/services/infant-day-care/book")).text
    assert 'class="support-line"' in form
    assert support_links(form)[1] == "8809612345678"
    code = await booking_code(client, await submit_booking(client))
    detail = (await client.get(f"/bookings/{code}")).text
    assert 'class="support-line"' in detail
    assert support_links(detail)[1] == "8809612345678"


async def test_another_number_comes_from_the_settings(settings: Settings) -> None:
    other = msgspec.structs.replace(settings, support_phone="+880 1711-000222")
    async with AsyncTestClient[Litestar](app=create_app(other)) as client:
        page = (await client.get("/contact")).text
    assert support_links(page) == ("+880 1711-000222", "8801711000222")
