"""The colour theme a visitor chose: read from a cookie so the first paint is already right."""

from __future__ import annotations

from typing import Any, Literal, get_args

from litestar import Request
from litestar.datastructures import Cookie

from carevia.settings import Settings

Theme = Literal["system", "light", "dark"]
THEMES: tuple[Theme, ...] = get_args(Theme)
THEME_COOKIE = "theme"
THEME_COOKIE_DAYS = 365


def theme_of(request: Request[Any, Any, Any]) -> Theme:
    """The remembered choice; anything unknown means "follow the device"."""
    value = request.cookies.get(THEME_COOKIE)
    for theme in THEMES:
        if value == theme:
            return theme
    return "system"


def theme_cookie(settings: Settings, theme: Theme) -> Cookie:
    return Cookie(
        key=THEME_COOKIE,
        value=theme,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=THEME_COOKIE_DAYS * 24 * 3600,
    )
