"""Initials avatars drawn on the server: no external image, the same picture for the same id."""

from __future__ import annotations

import hashlib
from html import escape

# Dark enough for white initials to pass WCAG AA contrast (4.5:1) on every one.
PALETTE = (
    "#1d4e89",
    "#7a2e8e",
    "#00695c",
    "#8d3b1f",
    "#37474f",
    "#4a5d23",
    "#9c1f4b",
    "#5b3fa6",
)


def avatar_colour(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def initials_avatar(initials: str, seed: str) -> str:
    """A square SVG: the initials in white on a colour derived from `seed` (an id)."""
    text = escape(initials[:2].upper() or "?")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" width="160" height="160"'
        ' role="img">'
        f'<rect width="160" height="160" fill="{avatar_colour(seed)}"/>'
        '<text x="80" y="80" dy=".35em" text-anchor="middle" fill="#fff"'
        ' font-family="system-ui, sans-serif" font-size="64" font-weight="600">'
        f"{text}</text></svg>"
    )
