"""Demo caregivers: a verified account and a profile each, inserted idempotently."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.models import User
from carevia.domain.accounts.passwords import hash_password, password_problem
from carevia.domain.accounts.repository import UserRepository
from carevia.domain.caregivers.models import (
    WEEKDAYS,
    Caregiver,
    TimeWindow,
    VerificationChecks,
    WeeklyAvailability,
)
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.catalogue.models import Category
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.text import Text

SEED_FILE = Path(__file__).with_name("seed_caregivers.json")
EMAIL_DOMAIN = "demo.carevia.example"
TIMEZONE = "Asia/Dhaka"


class DemoCaregiver(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One entry of the seed file; windows are written "HH:MM-HH:MM" per weekday."""

    first_name: str
    last_name: str
    bio: str
    bio_bn: str
    categories: list[Category]
    divisions: list[str]
    languages: list[str]
    years_experience: int
    certifications: list[str]
    verified: bool
    availability: dict[str, list[str]]
    days_off_in: list[int]
    joined_days_ago: int
    references_checked: int = 2

    def checks(self, joined: datetime) -> VerificationChecks:
        """A verified demo caregiver was checked like an applicant: ID, certificates, references."""
        if not self.verified:
            return VerificationChecks()
        return VerificationChecks(
            national_id=True,
            certificates=len(self.certifications),
            references=self.references_checked,
            checked_at=joined,
        )

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@{EMAIL_DOMAIN}".lower()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def weekly(self) -> WeeklyAvailability:
        unknown = set(self.availability) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"{self.display_name}: unknown weekdays {sorted(unknown)}")
        days: dict[str, Any] = {
            day: [TimeWindow(*window.split("-", 1)) for window in windows]
            for day, windows in self.availability.items()
        }
        return WeeklyAvailability(**days)

    def profile(self, caregiver_id: ObjectId, now: datetime) -> Caregiver:
        joined = now - timedelta(days=self.joined_days_ago)
        today = now.astimezone(ZoneInfo(TIMEZONE)).date()
        return Caregiver(
            id=caregiver_id,
            display_name=self.display_name,
            bio=self.bio,
            bio_bn=self.bio_bn,
            categories=self.categories,
            divisions=self.divisions,
            languages=self.languages,
            years_experience=self.years_experience,
            certifications=self.certifications,
            verified=self.verified,
            checks=self.checks(joined),
            availability=self.weekly(),
            days_off=[(today + timedelta(days=n)).isoformat() for n in self.days_off_in],
            timezone=TIMEZONE,
            created_at=joined,
            updated_at=joined,
        )

    def account(self, password_hash: str, now: datetime) -> User:
        joined = now - timedelta(days=self.joined_days_ago)
        return User(
            id=ObjectId(),
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            division=self.divisions[0],
            role="caregiver",
            password_hash=password_hash,
            email_verified_at=joined,
            created_at=joined,
            updated_at=joined,
        )


def demo_caregivers() -> list[DemoCaregiver]:
    return msgspec.json.decode(SEED_FILE.read_bytes(), type=list[DemoCaregiver])


async def seed_caregivers(
    database: AsyncDatabase[dict[str, Any]], now: datetime, password: str
) -> int:
    """Create the demo caregivers' accounts and profiles; returns how many profiles are new.

    An existing account is reused as it is (its password untouched), and an existing
    profile is never overwritten, so running the seed again changes nothing.
    """
    if problem := password_problem(password):
        raise Invalid({"password": problem}, Text("The demo caregiver password is too weak."))
    users = UserRepository(database)
    caregivers = CaregiverRepository(database)
    inserted = 0
    for entry in demo_caregivers():
        user = await users.get_by_email(entry.email)
        if user is None:
            # Another seed run may create the same account at the same moment.
            with contextlib.suppress(Conflict):
                await users.add(entry.account(await hash_password(password), now))
            user = await users.get_by_email(entry.email)
        if user is None or user.role != "caregiver":
            continue  # never attach a caregiver profile to someone else's account
        inserted += await caregivers.upsert_profile(entry.profile(user.id, now))
        await caregivers.add_bangla_bio_if_missing(user.id, entry.bio_bn)
    return inserted
