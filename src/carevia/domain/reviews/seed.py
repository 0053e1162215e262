"""Demo reviews: past, completed visits by demo patients, each reviewed through the service.

Nothing here writes a rating: the summaries the site shows come from `ReviewService`,
exactly as they do for a real patient's review.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.models import User
from carevia.domain.accounts.passwords import hash_password
from carevia.domain.accounts.repository import UserRepository
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import BookingRepository
from carevia.domain.bookings.codes import ALPHABET
from carevia.domain.bookings.models import (
    Actor,
    Booking,
    CancellationPolicy,
    Location,
    PatientContact,
)
from carevia.domain.bookings.pricing import DurationType, quote
from carevia.domain.bookings.transitions import history_entry
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.caregivers.seed import EMAIL_DOMAIN, TIMEZONE, demo_caregivers
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.models import Service
from carevia.domain.reviews.models import ReviewForm
from carevia.domain.reviews.repository import ReviewRepository
from carevia.domain.reviews.service import ReviewService
from carevia.domain.shared import Conflict
from carevia.domain.shared.clock import Clock

SEED_FILE = Path(__file__).with_name("seed_reviews.json")


class DemoPatient(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    first_name: str
    last_name: str
    division: str
    district: str

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}.family@{EMAIL_DOMAIN}".lower()


class DemoVisit(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    patient: int
    caregiver: str
    service: str
    days_ago: int
    stars: int
    text: str
    title: str = ""
    hours: int = 0
    days: int = 0


class DemoReviews(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    patients: list[DemoPatient]
    visits: list[DemoVisit]


def demo_reviews() -> DemoReviews:
    return msgspec.json.decode(SEED_FILE.read_bytes(), type=DemoReviews)


def fixed_clock(at: datetime) -> Clock:
    return lambda: at


def demo_code(number: int) -> str:
    """A fixed booking code per demo visit, so a second seed run finds it and stops."""
    return "CV-REV" + "".join(ALPHABET[(number // 31**n) % 31] for n in (2, 1, 0))


def past_visit_booking(
    code: str,
    visit: DemoVisit,
    patient: User,
    caregiver_id: ObjectId,
    caregiver_name: str,
    service: Service,
    now: datetime,
) -> Booking:
    zone = ZoneInfo(TIMEZONE)
    day = (now.astimezone(zone) - timedelta(days=visit.days_ago)).date()
    starts = datetime.combine(day, time(9, 0), zone)
    duration_type: DurationType = "days" if visit.days else "hours"
    quantity = visit.days or visit.hours
    ends = starts + (timedelta(days=quantity) if visit.days else timedelta(hours=quantity))
    price = quote(service, duration_type, quantity, patient.division, "full", 0)
    booked = starts - timedelta(days=3)
    patient_actor = Actor(str(patient.id), "patient")
    caregiver_actor = Actor(str(caregiver_id), "caregiver")
    return Booking(
        id=ObjectId(),
        code=code,
        patient_id=patient.id,
        patient=PatientContact(
            name=f"{patient.first_name} {patient.last_name}", phone="", email=patient.email
        ),
        caregiver_id=caregiver_id,
        caregiver_name=caregiver_name,
        service_id=service.id or ObjectId(),
        service_slug=service.slug,
        service_name=service.name,
        service_name_bn=service.name_bn,
        category=service.category.value,
        timezone=TIMEZONE,
        starts_at=starts,
        ends_at=ends,
        duration_type=duration_type,
        quantity=quantity,
        location=Location(
            division=patient.division, district=patient.district, address="House 12, Road 4"
        ),
        price=price,
        policy=CancellationPolicy(free_until_hours=service.booking_rules.free_cancellation_hours),
        status="completed",
        payment_status="paid",
        amount_paid=price.total,
        amount_refundable=price.total,
        history=[
            history_entry(booked, None, "pending_payment", patient_actor),
            history_entry(booked, "pending_payment", "confirmed", patient_actor),
            history_entry(starts, "confirmed", "in_progress", caregiver_actor),
            history_entry(ends, "in_progress", "completed", caregiver_actor),
        ],
        created_at=booked,
        updated_at=ends,
    )


async def _patient(users: UserRepository, entry: DemoPatient, password: str, now: datetime) -> User:
    user = await users.get_by_email(entry.email)
    if user is None:
        with contextlib.suppress(Conflict):
            await users.add(
                User(
                    id=ObjectId(),
                    email=entry.email,
                    first_name=entry.first_name,
                    last_name=entry.last_name,
                    division=entry.division,
                    district=entry.district,
                    role="patient",
                    password_hash=await hash_password(password),
                    email_verified_at=now - timedelta(days=120),
                    created_at=now - timedelta(days=120),
                    updated_at=now - timedelta(days=120),
                )
            )
        user = await users.get_by_email(entry.email)
    assert user is not None
    return user


async def seed_reviews(
    database: AsyncDatabase[dict[str, Any]], now: datetime, password: str
) -> int:
    """Add the demo visits that are missing, each with its review; returns how many were new."""
    data = demo_reviews()
    users = UserRepository(database)
    bookings = BookingRepository(database)
    services = ServiceRepository(database)
    caregiver_ids = {
        c.first_name: user.id
        for c in demo_caregivers()
        if (user := await users.get_by_email(c.email)) is not None and user.role == "caregiver"
    }
    patients = [await _patient(users, entry, password, now) for entry in data.patients]
    added = 0
    for number, visit in enumerate(data.visits):
        code = demo_code(number)
        service = await services.get_active_by_slug(visit.service)
        caregiver_id = caregiver_ids.get(visit.caregiver)
        if service is None or caregiver_id is None or await bookings.get_by_code(code):
            continue
        patient = patients[visit.patient]
        name = next(c.display_name for c in demo_caregivers() if c.first_name == visit.caregiver)
        booking = past_visit_booking(code, visit, patient, caregiver_id, name, service, now)
        await bookings.add_with_claims(booking)
        # Written the day after the visit, so the review reads as the patient left it.
        written = booking.ends_at + timedelta(days=1)
        reviews = ReviewService(
            database=database,
            reviews=ReviewRepository(database),
            bookings=bookings,
            caregivers=CaregiverRepository(database),
            services=services,
            audit=AuditLog(database),
            clock=fixed_clock(written),
        )
        form = ReviewForm(stars=str(visit.stars), title=visit.title, text=visit.text)
        await reviews.submit(patient, code, form)
        added += 1
    return added
