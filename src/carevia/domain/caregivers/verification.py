"""Admins vouching for caregivers and keeping their hours, and the people table behind it.

Only a verified caregiver can be booked. Every change here goes to the audit log; free
text becomes a literal pattern and every other filter is checked against a short list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.administration import MAX_PAGE_SIZE
from carevia.domain.accounts.models import ROLES, User
from carevia.domain.accounts.repository import UserRepository, parse_object_id
from carevia.domain.audit import AuditLog
from carevia.domain.caregivers.availability import AvailabilityForm, parse_availability
from carevia.domain.caregivers.models import Caregiver
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound, Page
from carevia.domain.shared.pagination import clamp_page, listing_query, query_fields
from carevia.domain.shared.text import Text

DEFAULT_PAGE_SIZE = 25
MAX_QUERY_TEXT = 100
YES_NO = ("", "yes", "no")


class PeopleFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The admin's people table as typed; `queue=1` is the verification queue."""

    q: str = ""
    role: str = ""
    verified: str = ""
    active: str = ""
    queue: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PeopleFilters:
        values = query_fields(cls, params)
        return msgspec.convert(values, cls).checked()

    def checked(self) -> PeopleFilters:
        fields: dict[str, str] = {}
        if self.role and self.role not in ROLES:
            fields["role"] = Text("Choose patient, caregiver or admin.")
        if self.verified not in YES_NO:
            fields["verified"] = Text("Choose verified or not verified.")
        elif self.verified and self.role not in ("", "caregiver"):
            fields["verified"] = Text("Only caregivers are verified.")
        if self.active not in YES_NO:
            fields["active"] = Text("Choose active or disabled.")
        if self.queue not in ("", "1"):
            fields["queue"] = "The queue is shown with queue=1."
        if fields:
            raise Invalid(fields, Text("Some filters could not be used."))
        return self

    @property
    def is_queue(self) -> bool:
        return self.queue == "1"

    @property
    def effective(self) -> PeopleFilters:
        """The queue is the unverified caregivers, whatever else was chosen."""
        if self.is_queue:
            return msgspec.structs.replace(self, role="caregiver", verified="no")
        return self

    def query_pairs(
        self, page: int | None = None, size: int | None = None
    ) -> list[tuple[str, str]]:
        """The filters as URL query pairs, so links keep the state shown."""
        return listing_query(self, page, size, DEFAULT_PAGE_SIZE)

    @property
    def is_empty(self) -> bool:
        return self == PeopleFilters()


class PersonRow(msgspec.Struct, frozen=True):
    user: User
    caregiver: Caregiver | None


class CaregiverVerification:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], audit: AuditLog) -> None:
        self._users = UserRepository(database)
        self._caregivers = CaregiverRepository(database)
        self._audit = audit

    async def search(
        self, actor: User, filters: PeopleFilters, page: int, size: int
    ) -> Page[PersonRow]:
        """One page of accounts, newest first, each caregiver with their profile."""
        _require_admin(actor)
        query = await self._query(filters.checked().effective)
        size = min(max(size, 1), MAX_PAGE_SIZE)
        total = await self._users.count(query)
        request = clamp_page(page, total, size)
        users = await self._users.find(query, skip=request.skip, limit=request.size)
        profiles = await self._profiles_of([user.id for user in users])
        await self._audit.record(
            "admin.users_listed",
            actor_id=str(actor.id),
            actor_role=actor.role,
            count=len(users),
            queue=filters.is_queue,
        )
        rows = [PersonRow(user, profiles.get(user.id)) for user in users]
        return Page(items=rows, number=request.number, size=request.size, total=total)

    async def profile(self, actor: User, caregiver_id: str | ObjectId) -> Caregiver | None:
        _require_admin(actor)
        return await self._caregivers.get(caregiver_id)

    async def set_verified(
        self, actor: User, caregiver_id: str, verified: bool, ip: str | None
    ) -> Caregiver:
        _require_admin(actor)
        profile = await self._profile(caregiver_id)
        if verified:
            user = await self._users.get(profile.id)
            if user is None or user.deleted_at is not None or user.role != "caregiver":
                raise Conflict(Text("Only an account with the caregiver role can be verified."))
        updated = await self._caregivers.set_verified(profile.id, verified)
        await self._record(
            "admin.caregiver_verified" if verified else "admin.caregiver_unverified",
            actor,
            profile,
            ip,
            before=profile.verified,
        )
        return updated or profile

    async def after_role_change(self, actor: User, user: User, ip: str | None) -> None:
        """Someone who is no longer a caregiver must not stay bookable."""
        _require_admin(actor)
        profile = await self._caregivers.get(user.id)
        if user.role == "caregiver" or profile is None or not profile.verified:
            return
        await self._caregivers.set_verified(profile.id, False)
        await self._record(
            "admin.caregiver_unverified", actor, profile, ip, before=True, reason="role_changed"
        )

    async def set_availability(
        self, actor: User, caregiver_id: str, form: AvailabilityForm, ip: str | None
    ) -> Caregiver:
        _require_admin(actor)
        profile = await self._profile(caregiver_id)
        availability, days_off, errors = parse_availability(form)
        if availability is None:
            raise Invalid(errors)
        updated = await self._caregivers.set_availability(profile.id, availability, days_off)
        await self._record(
            "admin.availability_changed",
            actor,
            profile,
            ip,
            before=msgspec.to_builtins(AvailabilityForm.of(profile)),
            after=msgspec.to_builtins(form),
        )
        return updated or profile

    async def _query(self, filters: PeopleFilters) -> dict[str, Any]:
        query: dict[str, Any] = {"deleted_at": None}
        if filters.role:
            query["role"] = filters.role
        if filters.active:
            query["is_active"] = filters.active == "yes"
        if filters.verified:
            query["role"] = "caregiver"
            verified = await self._caregivers.ids_where_verified(filters.verified == "yes")
            query["_id"] = {"$in": verified}
        if filters.q:
            pattern = {"$regex": re.escape(filters.q[:MAX_QUERY_TEXT]), "$options": "i"}
            query["$or"] = [{"email": pattern}, {"first_name": pattern}, {"last_name": pattern}]
        return query

    async def _profiles_of(self, ids: list[ObjectId]) -> dict[ObjectId, Caregiver]:
        return await self._caregivers.by_ids(ids)

    async def _profile(self, caregiver_id: str) -> Caregiver:
        oid = parse_object_id(caregiver_id)
        profile = None if oid is None else await self._caregivers.get(oid)
        if profile is None:
            raise NotFound(Text("There is no caregiver profile for this account."))
        return profile

    async def _record(
        self, action: str, actor: User, profile: Caregiver, ip: str | None, **details: Any
    ) -> None:
        await self._audit.record(
            action,
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="caregiver",
            target_id=str(profile.id),
            ip=ip,
            **details,
        )


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden(Text("Only admins can manage caregivers."))
