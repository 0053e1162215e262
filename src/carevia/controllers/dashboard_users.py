"""People in the admin dashboard: the filtered table, the verification queue and the drawer.

Every action is a CSRF-protected form. htmx gets the redrawn drawer and a `userChanged`
event that refreshes the table; a plain form post is redirected back to the drawer page.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import ROLES, Role, User, UserAdministration
from carevia.domain.caregivers.availability import AvailabilityForm
from carevia.domain.caregivers.models import WEEKDAYS, Caregiver
from carevia.domain.caregivers.verification import (
    DEFAULT_PAGE_SIZE,
    CaregiverVerification,
    PeopleFilters,
)
from carevia.domain.shared import Conflict, Forbidden, Invalid
from carevia.domain.shared.text import Text
from carevia.web.guards import require_role
from carevia.web.requests import client_ip
from carevia.web.templating import is_fragment_request, render, trigger

LIST_TEMPLATE = "dashboard/users.html"
DETAIL_TEMPLATE = "dashboard/user_detail.html"
NO_STORE = {"Cache-Control": "no-store"}
ROLE_LABELS = {"patient": Text("Patient"), "caregiver": Text("Caregiver"), "admin": Text("Admin")}
DONE = {
    "disabled": Text("The account is disabled and signed out everywhere."),
    "enabled": Text("The account is active again. Its old sessions and tokens stay revoked."),
    "role_changed": Text("The role is changed; the person must sign in again."),
    "verified": Text("The caregiver is verified and can now be booked."),
    "unverified": Text("The caregiver is no longer verified and cannot be booked."),
    "hours_saved": Text("The caregiver's working hours are saved."),
}
UrlForm = Body(media_type=RequestEncodingType.URL_ENCODED)


class RoleForm(msgspec.Struct, frozen=True, kw_only=True):
    role: str = ""


def parse_role(value: str) -> Role:
    for role in ROLES:
        if role == value:
            return role
    raise Invalid({"role": Text("Choose patient, caregiver or admin.")})


class PeopleDesk:
    """What every handler here needs: the two services and the way to answer with the drawer."""

    def __init__(
        self, user_admin: UserAdministration, verification: CaregiverVerification, timezone: str
    ) -> None:
        self.user_admin = user_admin
        self.verification = verification
        self.timezone = timezone

    async def drawer(
        self,
        request: Request[User, Any, Any],
        user_id: str,
        *,
        block: str = "user_drawer",
        notice: str | None = None,
        error: str | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        hours: AvailabilityForm | None = None,
        hour_errors: dict[str, str] | None = None,
        hours_saved: bool = False,
    ) -> Template:
        """One person's details, read through `read_user` so that the read is audited."""
        person = await self.user_admin.read_user(request.user, user_id)
        caregiver = await self.verification.profile(request.user, person.id)
        if hours is None and caregiver is not None:
            hours = AvailabilityForm.of(caregiver)
        return render(
            request,
            DETAIL_TEMPLATE,
            block=block,
            status_code=status_code,
            headers={**NO_STORE, **(headers or {})},
            person=person,
            caregiver=caregiver,
            is_self=person.id == request.user.id,
            role_labels=ROLE_LABELS,
            weekdays=WEEKDAYS,
            hours=hours,
            hour_errors=hour_errors or {},
            hours_saved=hours_saved,
            notice=notice,
            error=error,
            timezone=self.timezone,
        )

    async def act(
        self,
        request: Request[User, Any, Any],
        user_id: str,
        done: str,
        change: Awaitable[User | Caregiver],
    ) -> Response[Any] | Template:
        """Run one change; a refused one re-renders the drawer with the reason (422)."""
        try:
            changed = await change
        except (Invalid, Conflict, Forbidden) as refused:
            fields = refused.fields if isinstance(refused, Invalid) else {}
            message = next(iter(fields.values()), refused.message)
            return await self.drawer(request, user_id, error=message, status_code=422)
        if is_fragment_request(request):
            return await self.drawer(
                request, user_id, notice=DONE[done], headers=trigger("userChanged")
            )
        return Redirect(f"/dashboard/users/{changed.id}?done={done}", status_code=303)


class DashboardUserController(Controller):
    path = "/dashboard/users"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.users")
    async def list_users(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        page: FromQuery[int] = 1,
        size: FromQuery[int] = DEFAULT_PAGE_SIZE,
    ) -> Template:
        filters = PeopleFilters.from_params(request.query_params)
        results = await people_desk.verification.search(request.user, filters, page, size)
        return render(
            request,
            LIST_TEMPLATE,
            block="user_rows",
            headers=NO_STORE,
            filters=filters,
            results=results,
            role_labels=ROLE_LABELS,
            timezone=people_desk.timezone,
        )

    @get("/{user_id:str}", name="dashboard.user")
    async def user(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
        done: FromQuery[str] = "",
    ) -> Template:
        return await people_desk.drawer(request, user_id, notice=DONE.get(done))

    @post("/{user_id:str}/disable", name="dashboard.user.disable")
    async def disable(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
    ) -> Response[Any] | Template:
        change = people_desk.user_admin.set_active(request.user, user_id, False)
        return await people_desk.act(request, user_id, "disabled", change)

    @post("/{user_id:str}/enable", name="dashboard.user.enable")
    async def enable(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
    ) -> Response[Any] | Template:
        change = people_desk.user_admin.set_active(request.user, user_id, True)
        return await people_desk.act(request, user_id, "enabled", change)

    @post("/{user_id:str}/role", name="dashboard.user.role")
    async def change_role(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
        data: Annotated[RoleForm, UrlForm],
    ) -> Response[Any] | Template:
        """Tokens and sessions end in `change_role`; a former caregiver stops being bookable."""

        async def change() -> User:
            changed = await people_desk.user_admin.change_role(
                request.user, user_id, parse_role(data.role)
            )
            await people_desk.verification.after_role_change(
                request.user, changed, client_ip(request)
            )
            return changed

        return await people_desk.act(request, user_id, "role_changed", change())

    @post("/{user_id:str}/verify", name="dashboard.user.verify")
    async def verify(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
    ) -> Response[Any] | Template:
        verification = people_desk.verification
        change = verification.set_verified(request.user, user_id, True, client_ip(request))
        return await people_desk.act(request, user_id, "verified", change)

    @post("/{user_id:str}/unverify", name="dashboard.user.unverify")
    async def unverify(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
    ) -> Response[Any] | Template:
        verification = people_desk.verification
        change = verification.set_verified(request.user, user_id, False, client_ip(request))
        return await people_desk.act(request, user_id, "unverified", change)

    @post("/{user_id:str}/availability", name="dashboard.user.availability", status_code=200)
    async def save_availability(
        self,
        request: Request[User, Any, Any],
        people_desk: NamedDependency[PeopleDesk],
        user_id: FromPath[str],
        data: Annotated[AvailabilityForm, UrlForm],
    ) -> Response[Any] | Template:
        """The caregiver's own hours form, for any caregiver; errors re-render it (422)."""
        try:
            caregiver = await people_desk.verification.set_availability(
                request.user, user_id, data, client_ip(request)
            )
        except Invalid as invalid:
            return await people_desk.drawer(
                request,
                user_id,
                block="availability_form",
                status_code=422,
                hours=data,
                hour_errors=invalid.fields,
            )
        if is_fragment_request(request):
            return await people_desk.drawer(
                request, user_id, block="availability_form", hours_saved=True
            )
        return Redirect(f"/dashboard/users/{caregiver.id}?done=hours_saved", status_code=303)
