"""Money is held as integer minor units; only presentation turns it into text."""

from __future__ import annotations

CURRENCY_SYMBOLS = {"BDT": "৳", "USD": "$", "EUR": "€", "GBP": "£", "INR": "₹"}


def format_money(minor_units: int, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    sign = "-" if minor_units < 0 else ""
    major, minor = divmod(abs(minor_units), 100)
    text = f"{major:,}" if minor == 0 else f"{major:,}.{minor:02d}"
    return f"{sign}{symbol}{text}"
