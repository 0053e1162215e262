"""Read model of the audit log: a read-only projection for the audit screen and its API.

Exact filters only, newest first, a bounded page at a time. Nothing here writes.

No value from a request becomes an operator or a pattern: the action must be one already
in the log, ids are compared as plain strings, and dates become a time range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

import msgspec
from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.models import User
from carevia.domain.audit.log import AUDIT_LOG, AuditEntry
from carevia.domain.bookings.schedule import date_range_errors, local_start, parse_date
from carevia.domain.shared import Forbidden, Invalid, Page
from carevia.domain.shared.documents import from_document
from carevia.domain.shared.pagination import clamp_page, listing_query, query_fields

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_ID_LENGTH = 64
NEWEST_FIRST = [("at", DESCENDING), ("_id", DESCENDING)]


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    action: str = ""
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
        for name in ("actor_id", "target_id"):
            if len(getattr(self, name)) > MAX_ID_LENGTH:
                fields[name] = "That id is too long."
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


class AuditResults(msgspec.Struct, frozen=True):
    entries: Page[AuditEntry]
    actions: list[str]


class AuditQueries:
    def __init__(self, database: AsyncDatabase[dict[str, Any]], timezone: str) -> None:
        self._entries = database[AUDIT_LOG]
        self._timezone = timezone

    async def search(
        self, viewer: User, filters: AuditFilters, page: int, size: int
    ) -> AuditResults:
        if viewer.role != "admin":
            raise Forbidden("Only admins can read the audit log.")
        filters = filters.checked()
        actions = sorted(str(a) for a in await self._entries.distinct("action") if a)
        if filters.action and filters.action not in actions:
            raise Invalid({"action": "Choose one of the listed actions."})
        query = self._query(filters)
        size = min(max(size, 1), MAX_PAGE_SIZE)
        total = await self._entries.count_documents(query)
        request = clamp_page(page, total, size)
        cursor = self._entries.find(query).sort(NEWEST_FIRST).skip(request.skip).limit(request.size)
        items = [from_document(document, AuditEntry) async for document in cursor]
        entries = Page(items=items, number=request.number, size=request.size, total=total)
        return AuditResults(entries=entries, actions=actions)

    def _query(self, filters: AuditFilters) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for name in ("action", "actor_id", "target_id"):
            if getattr(filters, name):
                query[name] = getattr(filters, name)
        at: dict[str, Any] = {}
        first, last = parse_date(filters.date_from), parse_date(filters.date_to)
        if first is not None:
            at["$gte"] = local_start(first, time(0, 0), self._timezone)
        if last is not None:
            at["$lt"] = local_start(last + timedelta(days=1), time(0, 0), self._timezone)
        if at:
            query["at"] = at
        return query
