"""Public caregiver profiles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from carevia.domain.caregivers import CaregiverDirectory
from carevia.web.templating import render


class CaregiverController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/caregivers"

    @get("/{caregiver_id:str}", name="caregivers.profile")
    async def caregiver_profile(
        self,
        request: Request[Any, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        caregiver_id: FromPath[str],
    ) -> Template:
        caregiver = await caregivers.public_profile(caregiver_id)
        return render(request, "caregivers/profile.html", caregiver=caregiver)
