from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from carevia.domain.coverage import districts_of
from carevia.web.templating import render


@get("/coverage/districts", name="coverage.districts", include_in_schema=False)
async def district_options(
    request: Request[Any, Any, Any], division: FromQuery[str] = "", selected: FromQuery[str] = ""
) -> Template:
    """The district choices of one division, for forms that narrow them as a division is picked."""
    return render(
        request,
        "_partials/district_options.html",
        districts=districts_of(division),
        selected=selected,
    )
