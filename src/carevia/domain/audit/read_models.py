"""Read model of the audit log: a read-only projection for the audit screen and its API.

Names instead of ids, plain actions, newest first, a bounded page at a time. Nothing here writes.

No value from a request becomes an operator or an unescaped pattern: the action must be one
the log knows, a person is looked up by name or email first and then matched by id, and
dates become a time range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

import msgspec
from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.models import User
from carevia.domain.accounts.repository import UserRepository, parse_object_id
from carevia.domain.audit.actions import ACTIONS, ActionDescription, describe
from carevia.domain.audit.log import AUDIT_LOG, AuditEntry
from carevia.domain.bookings.schedule import date_range_errors, local_start, parse_date
from carevia.domain.shared import Forbidden, Invalid, Page
from carevia.domain.shared.documents import from_document
from carevia.domain.shared.pagination import clamp_page, listing_query, query_fields
from carevia.domain.shared.text import Text

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_ID_LENGTH = 64
MAX_PERSON_LENGTH = 100
# A person filter matching more people than this asks for a closer match.
MAX_PEOPLE = 50
NEWEST_FIRST = [("at", DESCENDING), ("_id", DESCENDING)]
ACCESS_CHOICES = {"reads": Text("Reads of personal data"), "changes": Text("Changes")}
PERSON_TARGETS = ("user", "caregiver")


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    person: str = ""
    action: str = ""
    access: str = ""
    booking: str = ""
    actor_id: str = ""
    target_id: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> AuditFilters:
        values = query_fields(cls, params)
        return msgspec.convert(values, cls).checked()

    def checked(self) -> AuditFilters:
        fields: dict[str, str] = {}
        for name in ("actor_id", "target_id", "booking"):
            if len(getattr(self, name)) > MAX_ID_LENGTH:
                fields[name] = "That is too long to be an id or a booking code."
        if len(self.person) > MAX_PERSON_LENGTH:
            fields["person"] = f"Use at most {MAX_PERSON_LENGTH} characters."
        if self.access and self.access not in ACCESS_CHOICES:
            fields["access"] = "Choose reads, changes or everything."
        fields.update(date_range_errors(self.date_from, self.date_to))
        if fields:
            raise Invalid(fields, "Some filters could not be used.")
        return self

    def query_pairs(
        self, page: int | None = None, size: int | None = None
    ) -> list[tuple[str, str]]:
        return listing_query(self, page, size, DEFAULT_PAGE_SIZE)

    @property
    def is_empty(self) -> bool:
        return self == AuditFilters()


class Person(msgspec.Struct, frozen=True):
    id: str
    name: str
    email: str


class AuditRow(msgspec.Struct, frozen=True):
    entry: AuditEntry
    action: ActionDescription
    actor: Person | None
    subject: Person | None


class AuditResults(msgspec.Struct, frozen=True):
    rows: Page[AuditRow]
    actions: list[ActionDescription]
    # Set when the person filter matched nobody, so the page can say so.
    nobody_matches: bool = False


class AuditQueries:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], timezone: str) -> None:
        self._entries = database[AUDIT_LOG]
        self._users = UserRepository(database)
        self._timezone = timezone

    async def search(
        self, viewer: User, filters: AuditFilters, page: int, size: int
    ) -> AuditResults:
        if viewer.role != "admin":
            raise Forbidden("Only admins can read the audit log.")
        filters = filters.checked()
        logged = {str(a) for a in await self._entries.distinct("action") if a}
        actions = sorted((describe(key) for key in logged | set(ACTIONS)), key=lambda a: a.sentence)
        if filters.action and filters.action not in {a.key for a in actions}:
            raise Invalid({"action": "Choose one of the listed kinds of action."})
        people = await self._people_named(filters.person) if filters.person else None
        if people is not None and len(people) > MAX_PEOPLE:
            raise Invalid({"person": "Too many people match; type more of the name or email."})
        query = self._query(filters, actions, people)
        size = min(max(size, 1), MAX_PAGE_SIZE)
        total = await self._entries.count_documents(query)
        request = clamp_page(page, total, size)
        cursor = self._entries.find(query).sort(NEWEST_FIRST).skip(request.skip).limit(request.size)
        entries = [from_document(document, AuditEntry) async for document in cursor]
        rows = await self._rows(entries)
        return AuditResults(
            rows=Page(items=rows, number=request.number, size=request.size, total=total),
            actions=actions,
            nobody_matches=people == [],
        )

    async def _people_named(self, text: str) -> list[str]:
        """Ids of the people whose email contains `text`, or whose name has all its words."""
        email = {"email": {"$regex": re.escape(text.lower()), "$options": "i"}}
        words = [
            {
                "$or": [
                    {field: {"$regex": re.escape(word), "$options": "i"}}
                    for field in ("first_name", "last_name")
                ]
            }
            for word in text.split()
        ]
        query = {"$or": [email, {"$and": words}]} if words else email
        found = await self._users.find(query, skip=0, limit=MAX_PEOPLE + 1)
        return [str(user.id) for user in found]

    async def _rows(self, entries: list[AuditEntry]) -> list[AuditRow]:
        ids = {e.actor_id for e in entries if e.actor_id}
        ids |= {e.target_id for e in entries if e.target_id and e.target_type in PERSON_TARGETS}
        object_ids = [oid for value in ids if (oid := parse_object_id(value)) is not None]
        found = await self._users.find({"_id": {"$in": object_ids}}, skip=0, limit=len(ids))
        people = {str(u.id): Person(str(u.id), u.full_name, u.email) for u in found}
        return [
            AuditRow(
                entry=entry,
                action=describe(entry.action),
                actor=people.get(entry.actor_id or ""),
                subject=people.get(entry.target_id or "")
                if entry.target_type in PERSON_TARGETS
                else None,
            )
            for entry in entries
        ]

    def _query(
        self,
        filters: AuditFilters,
        actions: list[ActionDescription],
        people: list[str] | None,
    ) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for name in ("action", "actor_id", "target_id"):
            if getattr(filters, name):
                query[name] = getattr(filters, name)
        if filters.booking:
            query["target_type"] = "booking"
            query["target_id"] = filters.booking.upper()
        reads = [a.key for a in actions if a.is_read]
        if filters.access == "reads":
            query.setdefault("$and", []).append({"action": {"$in": reads}})
        elif filters.access == "changes":
            query.setdefault("$and", []).append({"action": {"$nin": reads}})
        if people is not None:
            involved = {"$in": people}
            query.setdefault("$and", []).append(
                {"$or": [{"actor_id": involved}, {"target_id": involved}]}
            )
        at: dict[str, Any] = {}
        first, last = parse_date(filters.date_from), parse_date(filters.date_to)
        if first is not None:
            at["$gte"] = local_start(first, time(0, 0), self._timezone)
        if last is not None:
            at["$lt"] = local_start(last + timedelta(days=1), time(0, 0), self._timezone)
        if at:
            query["at"] = at
        return query
