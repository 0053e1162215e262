"""The visit report a caregiver files on Complete, and who may read it.

A report says how someone's parent or child was today, so it is as private as care needs:
the patient, the assigned caregiver until a week after the visit, and admins. It never goes
into live payloads, emails (they carry a link), CSV exports or logs.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from carevia.domain.accounts import User
from carevia.domain.bookings.models import MOODS, Booking, VisitReport
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text

TEXT_LIMIT = 500
CONCERN_LIMIT = 1000


class ReportForm(msgspec.Struct, frozen=True, kw_only=True):
    """The Complete form as typed; one ticked task arrives as a string, several as a list."""

    tasks: list[str] | str = msgspec.field(default_factory=list)
    meals: str = ""
    medication: str = ""
    mood: str = ""
    concern: str = ""

    def task_list(self) -> list[str]:
        return [self.tasks] if isinstance(self.tasks, str) else list(self.tasks)


def build_report(
    form: ReportForm, responsibilities: list[str], author: User, now: datetime
) -> VisitReport:
    """The stored report, or `Invalid` naming each field that is wrong."""
    errors: dict[str, str] = {}
    tasks = [t for t in form.task_list() if t]
    if any(task not in responsibilities for task in tasks):
        errors["tasks"] = Text("Pick the tasks from this service's list.")
    meals, medication, concern = form.meals.strip(), form.medication.strip(), form.concern.strip()
    if len(meals) > TEXT_LIMIT:
        errors["meals"] = Text("Keep meals to %(limit)d characters.", limit=TEXT_LIMIT)
    if len(medication) > TEXT_LIMIT:
        errors["medication"] = Text("Keep medication to %(limit)d characters.", limit=TEXT_LIMIT)
    if form.mood not in MOODS:
        errors["mood"] = Text("Choose how they seemed today.")
    if len(concern) > CONCERN_LIMIT:
        errors["concern"] = Text("Keep the concern to %(limit)d characters.", limit=CONCERN_LIMIT)
    if errors:
        raise Invalid(errors)
    ordered = [r for r in responsibilities if r in tasks]
    return VisitReport(
        tasks=ordered,
        meals=meals,
        medication=medication,
        mood=form.mood,
        concern=concern,
        filed_at=now,
        filed_by=str(author.id),
    )


def report_visible_to(viewer: User, booking: Booking, now: datetime) -> VisitReport | None:
    """The report if `viewer` may read it now, else None (the page then shows nothing)."""
    if booking.report is None:
        return None
    if viewer.role == "admin" or viewer.id == booking.patient_id:
        return booking.report
    if viewer.role == "caregiver" and booking.private_to_caregiver(viewer.id, now):
        return booking.report
    return None


def visit_update_addresses(booking: Booking) -> list[str]:
    """Who hears that a visit started or finished: the patient, then the recipient's
    emergency contact when they asked for these emails."""
    addresses = [booking.patient.email] if booking.patient.email else []
    contact = booking.recipient.emergency_contact if booking.recipient else None
    if contact is not None and contact.visit_updates and contact.email:
        addresses.append(contact.email)
    return addresses
