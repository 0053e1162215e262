"""Admin JSON routes for services, caregiver verification and caregivers' working hours.

They run the dashboard's domain services, so rules and audit entries are the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, post, put, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from carevia.domain.accounts import User
from carevia.domain.caregivers.verification import CaregiverVerification
from carevia.domain.catalogue.admin_form import ServiceForm, taka
from carevia.domain.catalogue.administration import (
    MAX_SEARCH_LENGTH,
    PAGE_SIZE,
    Removal,
    ServiceAdministration,
    ServiceListFilter,
)
from carevia.domain.catalogue.models import Service, ServiceStatus
from carevia.domain.shared import Invalid
from carevia.web.caregiver_schemas import AvailabilityBody, CaregiverOut, caregiver_out
from carevia.web.guards import require_bearer_for_writes, require_role
from carevia.web.openapi import errors
from carevia.web.requests import client_ip

Limit = Annotated[int, Parameter(ge=1, le=100)]
ENGLISH_LISTS = ("highlights", "responsibilities", "safety_measures")
LINE_LISTS = ("certifications", *ENGLISH_LISTS, *(f"{name}_bn" for name in ENGLISH_LISTS))
FLAGS = ("featured", "emergency_support", "instant_booking")
NUMBERS = ("min_experience_years", "min_hours", "free_cancellation_hours")
TEXTS: tuple[str, ...] = ("name", "slug", "short_title", "category", "image", "status")
TEXTS += ("working_hours", "description", "seo_title", "seo_description", "version")
TEXTS += ("name_bn", "short_title_bn", "working_hours_bn", "age_group_bn", "description_bn")
TEXTS += ("seo_title_bn", "seo_description_bn")


class ServiceBody(msgspec.Struct, frozen=True, kw_only=True):
    """A whole service. Prices are integers in minor units (poisha): 45050 is ৳450.50."""

    name: str = ""
    slug: str = ""
    short_title: str = ""
    category: str = ""
    image: str = ""
    featured: bool = False
    price_per_hour: int = 0
    price_per_day: int = 0
    service_types: list[str] = msgspec.field(default_factory=list)
    working_hours: str = ""
    emergency_support: bool = False
    age_group: str | None = None
    min_experience_years: int = 1
    certifications: list[str] = msgspec.field(default_factory=list)
    languages: list[str] = msgspec.field(default_factory=list)
    highlights: list[str] = msgspec.field(default_factory=list)
    responsibilities: list[str] = msgspec.field(default_factory=list)
    safety_measures: list[str] = msgspec.field(default_factory=list)
    description: str = ""
    divisions: list[str] = msgspec.field(default_factory=list)
    min_hours: int = 4
    free_cancellation_hours: int = 24
    instant_booking: bool = False
    seo_title: str = ""
    seo_description: str = ""
    status: str = "active"
    version: str = ""
    # The same words in Bangla; empty ones are shown in English.
    name_bn: str = ""
    short_title_bn: str = ""
    working_hours_bn: str = ""
    age_group_bn: str = ""
    highlights_bn: list[str] = msgspec.field(default_factory=list)
    responsibilities_bn: list[str] = msgspec.field(default_factory=list)
    safety_measures_bn: list[str] = msgspec.field(default_factory=list)
    description_bn: str = ""
    seo_title_bn: str = ""
    seo_description_bn: str = ""

    def as_form(self) -> ServiceForm:
        """The dashboard form these values would fill in; its reader checks every rule."""
        errors = {
            name: "Entries cannot contain line breaks."
            for name in LINE_LISTS
            if any("\n" in value or "\r" in value for value in getattr(self, name))
        }
        if any("," in language for language in self.languages):
            errors["languages"] = "Languages cannot contain commas."
        if errors:
            raise Invalid(errors)
        return ServiceForm(
            **{name: getattr(self, name) for name in TEXTS},
            **{name: "on" if getattr(self, name) else "" for name in FLAGS},
            **{name: str(getattr(self, name)) for name in NUMBERS},
            **{name: "\n".join(getattr(self, name)) for name in LINE_LISTS},
            price_per_hour=taka(self.price_per_hour),
            price_per_day=taka(self.price_per_day),
            service_types=list(self.service_types),
            divisions=list(self.divisions),
            age_group=self.age_group or "",
            languages=", ".join(self.languages),
        )


class ServiceOut(ServiceBody, frozen=True, kw_only=True):
    """A stored service; send `version` back on an update to refuse overwriting a newer save."""

    id: str
    currency: str
    created_at: datetime
    updated_at: datetime


class ServiceList(msgspec.Struct, frozen=True):
    items: list[ServiceOut]
    page: int
    pages: int
    total: int


class Removed(msgspec.Struct, frozen=True):
    slug: str
    outcome: Removal


def service_out(service: Service) -> ServiceOut:
    own = {f: getattr(service, f) for f in ServiceBody.__struct_fields__ if hasattr(service, f)}
    nested = msgspec.structs.asdict(service.requirements)
    nested |= msgspec.structs.asdict(service.booking_rules)
    return ServiceOut(
        **own,
        **nested,
        id=str(service.id),
        currency=service.currency,
        created_at=service.created_at,
        updated_at=service.updated_at,
        version=service.updated_at.isoformat(),
    )


class ServiceApiController(Controller):
    path = "/api/v1/services"
    tags = ["services"]
    guards = [require_role("admin"), require_bearer_for_writes]

    @get("/", responses=errors(400, 401, 403))
    async def list_services(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        q: Annotated[str, Parameter(max_length=MAX_SEARCH_LENGTH)] = "",
        status: FromQuery[ServiceStatus | Literal[""]] = "",
        page: FromQuery[int] = 1,
        limit: Limit = PAGE_SIZE,
    ) -> ServiceList:
        """Every service, inactive and archived included; `status` narrows the list."""
        filters = ServiceListFilter.from_query(q, status)
        found = await service_admin.list_services(request.user, filters, page, limit)
        return ServiceList(
            items=[service_out(s) for s in found.items],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )

    @get("/{slug:str}", responses=errors(401, 403, 404))
    async def read_service(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> ServiceOut:
        return service_out(await service_admin.get(request.user, slug))

    @post("/", status_code=201, responses=errors(400, 401, 403, 409))
    async def create_service(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        data: JSONBody[ServiceBody],
    ) -> ServiceOut:
        """Prices are integer minor units; they become the form's taka text ("450.50")."""
        return service_out(await service_admin.create(request.user, data.as_form()))

    @route(
        "/{slug:str}",
        http_method=["PUT", "POST"],
        status_code=200,
        responses=errors(400, 401, 403, 404, 409),
    )
    async def update_service(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
        data: JSONBody[ServiceBody],
    ) -> ServiceOut:
        """Replaces every field, by PUT or POST; integer minor-unit prices become taka text."""
        return service_out(await service_admin.update(request.user, slug, data.as_form()))

    @post("/{slug:str}/status", status_code=200, responses=errors(401, 403, 404, 409))
    async def toggle_status(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> ServiceOut:
        """Active becomes inactive; inactive or archived becomes active."""
        return service_out(await service_admin.toggle_status(request.user, slug))

    @delete("/{slug:str}", status_code=200, responses=errors(401, 403, 404, 409))
    async def remove_service(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> Removed:
        """Deletes the service, or archives it if bookings refer to it; `outcome` says which."""
        return Removed(slug=slug, outcome=await service_admin.remove(request.user, slug))


class Verification(msgspec.Struct, frozen=True):
    verified: bool


class CaregiverApiController(Controller):
    path = "/api/v1/caregivers"
    tags = ["caregivers"]
    guards = [require_role("admin"), require_bearer_for_writes]

    @post("/{caregiver_id:str}/verify", status_code=200, responses=errors(400, 401, 403, 404))
    async def set_verified(
        self,
        request: Request[User, Any, Any],
        caregiver_verification: NamedDependency[CaregiverVerification],
        caregiver_id: FromPath[str],
        data: JSONBody[Verification],
    ) -> CaregiverOut:
        """Only a verified caregiver can be booked; `false` takes them off the list."""
        changed = await caregiver_verification.set_verified(
            request.user, caregiver_id, data.verified, client_ip(request)
        )
        return caregiver_out(changed)

    @put("/{caregiver_id:str}/availability", status_code=200, responses=errors(400, 401, 403, 404))
    async def set_availability(
        self,
        request: Request[User, Any, Any],
        caregiver_verification: NamedDependency[CaregiverVerification],
        caregiver_id: FromPath[str],
        data: JSONBody[AvailabilityBody],
    ) -> CaregiverOut:
        """Replaces the weekly hours; errors name the weekday (`monday`) or `days_off`."""
        try:
            changed = await caregiver_verification.set_availability(
                request.user, caregiver_id, data.as_form(), client_ip(request)
            )
        except Invalid as invalid:
            fields = {k.removesuffix("_start"): v for k, v in invalid.fields.items()}
            raise Invalid(fields, invalid.message) from invalid
        return caregiver_out(changed)
