"""JSON routes for a caregiver's own hours and profile, as the dashboard pages offer them."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from carevia.domain.accounts import User
from carevia.domain.caregivers.availability import ProfileForm
from carevia.domain.caregivers.service import CaregiverDirectory
from carevia.domain.shared import Invalid
from carevia.web.caregiver_schemas import AvailabilityBody, CaregiverOut, caregiver_out
from carevia.web.guards import require_bearer_for_writes, require_role
from carevia.web.openapi import errors

# The profile's rules as the document can state them: a bio of 20 to 1500 characters once
# trimmed, one to eight languages without commas, up to ten certifications on one line each.
Bio = Annotated[str, msgspec.Meta(max_length=1500, pattern=r"\S[\s\S]{18,}\S")]
Language = Annotated[str, msgspec.Meta(max_length=30, pattern=r"^[^,]*[^,\s][^,]*$")]
Certification = Annotated[str, msgspec.Meta(max_length=120)]


class ProfileBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    bio: Bio
    languages: Annotated[list[Language], msgspec.Meta(min_length=1, max_length=8)]
    certifications: Annotated[list[Certification], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    # The bio in Bangla, held to the same rules; left out, patients reading Bangla see the English.
    bio_bn: Bio | None = None


class OwnCaregiverApiController(Controller):
    path = "/api/v1/me/caregiver"
    tags = ["caregivers"]
    guards = [require_role("caregiver"), require_bearer_for_writes]

    @put("/availability", status_code=200, responses=errors(400, 401, 403, 404))
    async def set_availability(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        data: JSONBody[AvailabilityBody],
    ) -> CaregiverOut:
        """Replaces the caller's weekly hours; errors name the weekday or `days_off`."""
        try:
            changed = await caregivers.update_availability(request.user, data.as_form())
        except Invalid as invalid:
            fields = {k.removesuffix("_start"): v for k, v in invalid.fields.items()}
            raise Invalid(fields, invalid.message) from invalid
        return caregiver_out(changed)

    @put("/profile", status_code=200, responses=errors(400, 401, 403, 404))
    async def set_profile(
        self,
        request: Request[User, Any, Any],
        caregivers: NamedDependency[CaregiverDirectory],
        data: JSONBody[ProfileBody],
    ) -> CaregiverOut:
        """Replaces what patients read about the caller: bio, languages, certifications."""
        if any("," in language for language in data.languages):
            raise Invalid({"languages": "Give each language as its own entry."})
        form = ProfileForm(
            bio=data.bio,
            bio_bn=data.bio_bn or "",
            languages=", ".join(data.languages),
            # Each entry stays one line, whatever line breaks it holds.
            certifications="\n".join(" ".join(line.splitlines()) for line in data.certifications),
        )
        return caregiver_out(await caregivers.update_profile(request.user, form))
