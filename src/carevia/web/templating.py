"""Template set-up and the one helper handlers use to answer with a page or a fragment."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.plugins.htmx import HTMXDetails, HTMXHeaders, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from carevia.domain.bookings.models import STATUS_LABELS
from carevia.domain.catalogue import CATEGORY_LABELS, SERVICE_SORTS
from carevia.domain.coverage import DIVISION_NAMES, DIVISIONS, place_name
from carevia.domain.shared import Invalid
from carevia.domain.shared.language import digits, format_number, local
from carevia.domain.shared.money import format_money
from carevia.domain.shared.time_format import format_clock, format_day, format_local, machine_time
from carevia.settings import Settings
from carevia.web.i18n import (
    LANGUAGES,
    current_language,
    template_gettext,
    template_ngettext,
    translate,
)
from carevia.web.theme import theme_of

# Every page branches on htmx and is in the language of the `lang` cookie or the browser.
PAGE_VARY = "HX-Request, Cookie, Accept-Language"
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def htmx_details(request: Request[Any, Any, Any]) -> HTMXDetails:
    """What htmx sent with the request; `HTMXPlugin` makes every request an `HTMXRequest`."""
    return request.htmx if isinstance(request, HTMXRequest) else HTMXDetails(request)


def is_fragment_request(request: Request[Any, Any, Any]) -> bool:
    """htmx swaps a part of the page; boosted links and history restores want the whole page."""
    htmx = htmx_details(request)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def trigger(event: str) -> dict[str, str]:
    """The header that fires `event` on the page; the lists listen with `from:body`.

    A plain event name, not the plugin's `TriggerEvent` response: that one JSON-encodes the
    name and cannot carry the re-rendered block that most of these answers also send.
    """
    return {HTMXHeaders.TRIGGER_EVENT.value: event}


def render(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """The whole page, or only `block` when htmx asked for a fragment."""
    response_headers = {"Vary": PAGE_VARY, **(headers or {})}
    if block is not None and is_fragment_request(request):
        return HTMXBlockTemplate(
            template_name=template_name,
            block_name=block,
            context=context,
            status_code=status_code,
            headers=response_headers,
        )
    return Template(
        template_name, context=context, status_code=status_code, headers=response_headers
    )


def render_invalid(
    request: Request[Any, Any, Any],
    template_name: str,
    invalid: Invalid,
    *,
    block: str | None = None,
    **context: Any,
) -> Template:
    """The form again with the user's input and a message per field: 422, which htmx swaps."""
    return render(
        request, template_name, block=block, status_code=422, errors=invalid.fields, **context
    )


def page_link(path: str, filters: Any, number: int, size: int | None = None) -> str:
    """The address of another page of a filtered listing."""
    pairs = filters.query_pairs(number) if size is None else filters.query_pairs(number, size)
    return f"{path}?{urlencode(pairs)}"


# The query of a public listing that names a page of its own (its filters); anything else in
# a query (a one-use token, a return address) never goes into a link the page publishes.
LISTING_QUERY = frozenset(
    {"category", "division", "free_on", "language", "min_rating", "page", "q", "rating", "sort"}
)


def language_alternates(base: str, request: Request[Any, Any, Any]) -> dict[str, str]:
    """This page's address in each language, and without a choice for everyone else."""
    kept = [
        (key, value) for key, value in request.query_params.multi_items() if key in LISTING_QUERY
    ]
    return language_addresses(base, request.url.path, kept)


def language_addresses(
    base: str, path: str, query: list[tuple[str, str]] | None = None
) -> dict[str, str]:
    """`hreflang` to address: `?lang=` gives each language its own address."""
    addresses: dict[str, str] = {
        language: f"{base}{path}?{urlencode([*(query or []), ('lang', language)])}"
        for language in LANGUAGES
    }
    addresses["x-default"] = f"{base}{path}" + (f"?{urlencode(query)}" if query else "")
    return addresses


def canonical_address(base: str, request: Request[Any, Any, Any], path: str) -> str:
    """A page's own address; one asked for in a language (`?lang=bn`) stays in it."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        path += ("&" if "?" in path else "?") + urlencode({"lang": asked})
    return f"{base}{path}"


def build_environment(settings: Settings) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
        extensions=["jinja2.ext.i18n"],
        # A domain `Text` printed in a template is shown in the reader's language.
        finalize=translate,
    )
    # Jinja's own newstyle callables, with numbers in the reader's digits (see `i18n`).
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    environment.globals.update(gettext=template_gettext, ngettext=template_ngettext)
    environment.filters["number"] = format_number
    # Text already written (a rating "4.8") in the reader's digits.
    environment.filters["digits"] = digits
    environment.filters["place_name"] = place_name
    environment.filters["money"] = lambda minor, currency=settings.currency: format_money(
        minor, currency
    )
    environment.filters["localtime"] = format_local
    environment.filters["machine_time"] = machine_time
    environment.filters["day"] = format_day
    environment.filters["clock"] = format_clock
    environment.globals.update(
        site_name="Carevia",
        public_base_url=settings.public_base_url,
        category_labels={c.value: label for c, label in CATEGORY_LABELS.items()},
        division_names=DIVISION_NAMES,
        coverage=DIVISIONS,
        service_sorts=SERVICE_SORTS,
        status_labels=STATUS_LABELS,
        is_production=settings.is_production,
        offers_google_sign_in=settings.offers_google_sign_in,
        support_phone=settings.support_phone,
        support_phone_link=settings.support_phone_link,
        support_whatsapp_link=settings.support_whatsapp_link,
        theme_of=theme_of,
        current_language=current_language,
        local=local,
        place_name=place_name,
    )
    # Shared widgets used inside named blocks are globals, so fragments see them too.
    environment.globals["page_link"] = page_link
    environment.globals["language_alternates"] = partial(
        language_alternates, settings.public_base_url
    )
    environment.globals["language_addresses"] = language_addresses
    environment.globals["canonical_address"] = partial(canonical_address, settings.public_base_url)
    listing = environment.get_template("_partials/pagination.html").module
    environment.globals["pager"] = listing.pager  # type: ignore[attr-defined]
    environment.globals["results_head"] = listing.results_head  # type: ignore[attr-defined]
    return environment


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        instance=JinjaTemplateEngine.from_environment(build_environment(settings))
    )
