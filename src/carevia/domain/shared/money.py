"""Money is held as integer minor units; only presentation turns it into text."""

from __future__ import annotations

import re

from carevia.domain.shared.language import Language, current_language, digits, format_number

CURRENCY_SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}


def format_money(minor_units: int, currency: str, language: Language | None = None) -> str:
    """৳1,23,450 in English, ৳১,২৩,৪৫০ in Bangla: lakh grouping, paisa only when there are some."""
    spoken = language or current_language()
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    sign = "-" if minor_units < 0 else ""
    major, minor = divmod(abs(minor_units), 100)
    text = format_number(major, spoken)
    if minor:
        text += digits(f".{minor:02d}", spoken)
    return f"{sign}{symbol}{text}"


# Up to a billion taka with at most two decimals, in ASCII digits and optional thousands
# commas. `Decimal` also reads "٥٠٠", "1e400" and "NaN", which are no amount a person typed.
_TAKA = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")


def parse_taka(text: str) -> int | None:
    """Minor units for an amount typed in taka, such as "1,250.50"; None when unreadable."""
    cleaned = text.strip().replace(",", "")
    if not _TAKA.fullmatch(cleaned):
        return None
    whole, _, fraction = cleaned.partition(".")
    return int(whole) * 100 + int(fraction.ljust(2, "0"))
