"""Rendered public pages kept for signed-out visitors, served without touching the database.

A route opts in with `opt={PAGE_CACHE_OPT: topics}`, naming what its page is drawn from
(see `domain/catalogue/changes.py`). A page is kept with the versions of those topics as
they were when it started rendering, and served only while they still stand.

What differs between visitors stays right:
- anyone with a session cookie is passed through to the handler, and a page is kept only
  when the handler saw no user, so a signed-in header is never kept nor served;
- the key holds the path and query, the htmx headers the page branches on (`Vary:
  HX-Request`), the theme cookie and the page's language;
- the CSRF token is cut out of the kept page and each visitor's own is put back, with a new
  token and its cookie for a visitor who has none, as Litestar's CSRF middleware does.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import msgspec
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.datastructures.headers import Headers
from litestar.enums import ScopeType
from litestar.middleware.csrf import generate_csrf_token
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

from carevia.domain.catalogue.changes import DataVersions
from carevia.web.auth import SESSION_COOKIE
from carevia.web.i18n import current_language
from carevia.web.requests import cookies_in
from carevia.web.theme import THEME_COOKIE, THEMES

PAGE_CACHE_OPT = "page_cache"
# "Next free" on a service page moves with the half-hour start slots (minimum notice is in
# whole hours), so a page drawn from free time belongs to the slot it was drawn in.
FREE_TIME_TOPIC = "free_time"
SLOT_SECONDS = 1800
# Bounds what crawlers inventing queries can make one process keep.
MAX_PAGES = 2000
MAX_BYTES = 32 * 1024 * 1024
_TOKEN = re.compile(rb"[0-9a-f]{128}")
_KEPT_OUT_HEADERS = frozenset({b"set-cookie", b"content-length"})
_KEY_HEADERS = ("hx-request", "hx-boosted", "hx-history-restore-request")


class KeptPage(msgspec.Struct, frozen=True):
    versions: tuple[int, ...]
    status: int
    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]  # the body, split where the CSRF token goes


class PageCache:
    def __init__(self, versions: DataVersions, clock: Callable[[], datetime]) -> None:
        self.versions = versions
        self._clock = clock
        self._pages: dict[tuple[object, ...], KeptPage] = {}
        self._bytes = 0
        self._drawing: dict[tuple[object, ...], asyncio.Event] = {}
        self.hits = 0  # answers served from the cache, for operators and tests
        self.renders = 0  # pages drawn by the handler for a signed-out visitor

    @contextmanager
    def drawing(self, key: tuple[object, ...]) -> Iterator[None]:
        """Mark `key` as being drawn, so others asking for it meanwhile wait for it."""
        done = asyncio.Event()
        # Two may draw at once when the first drew nothing worth keeping; the first stays.
        self._drawing.setdefault(key, done)
        try:
            yield
        finally:
            if self._drawing.get(key) is done:
                del self._drawing[key]
            done.set()

    async def drawn_by_another(self, key: tuple[object, ...]) -> bool:
        """Wait for a drawing of `key` already under way; False when there is none."""
        drawing = self._drawing.get(key)
        if drawing is None:
            return False
        await drawing.wait()
        return True

    def stamp(self, topics: tuple[str, ...]) -> tuple[int, ...]:
        """The versions a page drawn now depends on."""
        stamp = self.versions.current(topics)
        if FREE_TIME_TOPIC in topics:
            stamp += (math.ceil(self._clock().timestamp() / SLOT_SECONDS),)
        return stamp

    def get(self, key: tuple[object, ...], topics: tuple[str, ...]) -> KeptPage | None:
        if not self.versions.following:
            return None
        page = self._pages.get(key)
        return page if page is not None and page.versions == self.stamp(topics) else None

    def keep(self, key: tuple[object, ...], page: KeptPage) -> None:
        size = sum(len(part) for part in page.parts)
        if len(self._pages) >= MAX_PAGES or self._bytes + size > MAX_BYTES:
            self._pages.clear()
            self._bytes = 0
        replaced = self._pages.get(key)
        if replaced is not None:
            self._bytes -= sum(len(part) for part in replaced.parts)
        self._pages[key] = page
        self._bytes += size


def cached_pages(cache: PageCache, csrf: CSRFConfig) -> Callable[[ASGIApp], ASGIApp]:
    """The outermost middleware: answer a signed-out visitor from the cache when it can."""

    def middleware_factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            route_handler = scope.get("route_handler")
            topics = route_handler.opt.get(PAGE_CACHE_OPT) if route_handler else None
            if not topics or scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
                await app(scope, receive, send)
                return
            headers = Headers.from_scope(scope)
            cookies = cookies_in(headers.get("cookie", ""))
            if cookies.get(SESSION_COOKIE):
                await app(scope, receive, send)
                return
            key = (
                scope["path"],
                scope["query_string"],
                theme if (theme := cookies.get(THEME_COOKIE)) in THEMES else None,
                current_language(),
                *(headers.get(name) for name in _KEY_HEADERS),
            )
            token = cookies.get(csrf.cookie_name)
            if token is not None and not _TOKEN.fullmatch(token.encode()):
                await app(scope, receive, send)
                return
            # A page that went stale is asked for by every connection at once; one draws it
            # and the rest are answered with what it drew.
            page = cache.get(key, topics)
            if page is None and await cache.drawn_by_another(key):
                page = cache.get(key, topics)
            if page is not None:
                cache.hits += 1
                await _send_kept(page, token, csrf, send)
                return
            with cache.drawing(key):
                cache.renders += 1
                stamp = cache.stamp(topics)
                await _render_and_keep(
                    app, scope, receive, send, cache, key, stamp, csrf.cookie_name
                )

        return middleware

    return middleware_factory


async def _send_kept(page: KeptPage, token: str | None, csrf: CSRFConfig, send: Send) -> None:
    headers = list(page.headers)
    if token is None:
        token = generate_csrf_token(csrf.secret)
        cookie = Cookie(
            key=csrf.cookie_name,
            value=token,
            path=csrf.cookie_path,
            secure=csrf.cookie_secure,
            httponly=csrf.cookie_httponly,
            samesite=csrf.cookie_samesite,
            domain=csrf.cookie_domain,
        )
        headers.append((b"set-cookie", cookie.to_header(header="").encode("latin-1")))
    body = str(escape(token)).encode().join(page.parts)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": page.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _render_and_keep(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    cache: PageCache,
    key: tuple[object, ...],
    stamp: tuple[int, ...],
    csrf_cookie_name: str,
) -> None:
    status = 0
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            headers.extend((bytes(n).lower(), bytes(v)) for n, v in message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    await app(scope, receive, capture)
    if status != 200 or scope.get("user") is not None:
        return
    cookies_set = [value for name, value in headers if name == b"set-cookie"]
    token = ScopeState.from_scope(scope).csrf_token
    if not isinstance(token, str) or not _TOKEN.fullmatch(token.encode()):
        return
    # Only the CSRF cookie may be set by a page kept for everyone.
    if any(not value.startswith(f"{csrf_cookie_name}=".encode()) for value in cookies_set):
        return
    cache.keep(
        key,
        KeptPage(
            versions=stamp,
            status=200,
            headers=[(name, value) for name, value in headers if name not in _KEPT_OUT_HEADERS],
            parts=b"".join(chunks).split(token.encode()),
        ),
    )
