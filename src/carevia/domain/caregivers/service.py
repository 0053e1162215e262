from __future__ import annotations

from carevia.domain.accounts.models import User
from carevia.domain.audit import AuditLog
from carevia.domain.caregivers.availability import (
    AvailabilityForm,
    ProfileForm,
    parse_availability,
    parse_profile,
)
from carevia.domain.caregivers.models import Caregiver
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.catalogue.models import Category
from carevia.domain.shared import Forbidden, Invalid, NotFound
from carevia.domain.shared.text import Text

UNKNOWN_CAREGIVER = (
    "We could not find this caregiver. The link may be mistyped, or the profile is not "
    "listed at the moment. Browse our services to see the caregivers available to you."
)


class CaregiverDirectory:
    """Who provides care: public profiles and the caregivers a booking can go to."""

    def __init__(self, repository: CaregiverRepository, audit: AuditLog | None = None) -> None:
        self._repository = repository
        self._audit = audit

    async def get(self, caregiver_id: str) -> Caregiver:
        """Any caregiver, verified or not, for staff and for the caregiver themselves."""
        caregiver = await self._repository.get(caregiver_id)
        if caregiver is None:
            raise NotFound(UNKNOWN_CAREGIVER)
        return caregiver

    async def own_profile(self, user: User) -> Caregiver:
        if user.role != "caregiver":
            raise Forbidden(Text("Only caregivers have a caregiver profile."))
        return await self.get(str(user.id))

    async def update_availability(self, user: User, form: AvailabilityForm) -> Caregiver:
        caregiver = await self.own_profile(user)
        availability, days_off, errors = parse_availability(form)
        if availability is None:
            raise Invalid(errors)
        updated = await self._repository.set_availability(caregiver.id, availability, days_off)
        await self._record("caregiver.availability_changed", user)
        return updated or caregiver

    async def update_profile(self, user: User, form: ProfileForm) -> Caregiver:
        caregiver = await self.own_profile(user)
        about, errors = parse_profile(form)
        if errors:
            raise Invalid(errors)
        updated = await self._repository.set_profile(caregiver.id, about)
        await self._record("caregiver.profile_changed", user)
        return updated or caregiver

    async def _record(self, action: str, user: User) -> None:
        if self._audit is not None:
            await self._audit.record(
                action,
                actor_id=str(user.id),
                actor_role=user.role,
                target_type="caregiver",
                target_id=str(user.id),
            )

    async def candidates(self, category: Category, division: str | None) -> list[Caregiver]:
        return await self._repository.candidates(category, division)
