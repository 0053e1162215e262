"""A person's application to become a caregiver, and the statuses it moves through."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec
from bson import ObjectId

from carevia.domain.caregivers.availability import WeeklyHoursForm
from carevia.domain.caregivers.models import WeeklyAvailability
from carevia.domain.catalogue.models import Category
from carevia.domain.shared.text import Text

Status = Literal["draft", "submitted", "needs_changes", "approved", "declined"]
STATUS_LABELS: dict[str, str] = {
    "draft": Text("Not sent yet"),
    "submitted": Text("Waiting for review"),
    "needs_changes": Text("Needs changes"),
    "approved": Text("Approved"),
    "declined": Text("Declined"),
}
# Who may move an application from one status to the next.
APPLICANT_MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "needs_changes": ("submitted",),
}
ADMIN_MOVES: dict[str, tuple[str, ...]] = {
    "submitted": ("needs_changes", "approved", "declined"),
}
# While these hold, the applicant may still edit the form and the files.
EDITABLE: tuple[str, ...] = ("draft", "needs_changes")


class Reference(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    contact: str
    relationship: str


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate file in the files context; private to the applicant and admins."""

    id: ObjectId
    name: str
    # A picture is shown with <img>; a PDF in a frame of its own.
    is_pdf: bool = False


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    status: Status
    at: datetime
    by: ObjectId
    note: str = ""


class Application(msgspec.Struct, frozen=True, kw_only=True):
    id: ObjectId = msgspec.field(name="_id")
    user_id: ObjectId
    display_name: str
    status: Status = "draft"
    categories: list[Category] = msgspec.field(default_factory=list)
    divisions: list[str] = msgspec.field(default_factory=list)
    languages: list[str] = msgspec.field(default_factory=list)
    years_experience: int = 0
    availability: WeeklyAvailability = msgspec.field(default_factory=WeeklyAvailability)
    bio: str = ""
    national_id: str = ""
    references: list[Reference] = msgspec.field(default_factory=list)
    documents: list[Document] = msgspec.field(default_factory=list)
    photo_id: ObjectId | None = None
    # The admin's words with the latest decision: what to change, or why it was declined.
    note: str = ""
    history: list[StatusChange] = msgspec.field(default_factory=list)
    submitted_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def masked_national_id(self) -> str:
        """All but the last four digits hidden, for lists and summaries."""
        if len(self.national_id) <= 4:
            return "•" * len(self.national_id)
        return "•" * (len(self.national_id) - 4) + self.national_id[-4:]


class ApplicationForm(WeeklyHoursForm, frozen=True, kw_only=True):
    """The form exactly as posted; checkbox groups send one value or several."""

    categories: str | list[str] = ""
    divisions: str | list[str] = ""
    languages: str = ""
    years_experience: str = ""
    bio: str = ""
    national_id: str = ""
    reference1_name: str = ""
    reference1_contact: str = ""
    reference1_relationship: str = ""
    reference2_name: str = ""
    reference2_contact: str = ""
    reference2_relationship: str = ""
    intent: str = "save"


class DecisionForm(msgspec.Struct, frozen=True, kw_only=True):
    decision: str = ""
    note: str = ""
