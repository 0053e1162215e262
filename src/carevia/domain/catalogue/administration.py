"""What admins do to the catalogue: add, edit, switch on and off, and remove services.

Every change is written to the audit log. A service that bookings refer to is archived, not
deleted, so those bookings keep pointing at a real record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from carevia.domain.accounts import User
from carevia.domain.audit import AuditLog
from carevia.domain.catalogue.admin_form import ServiceForm, read_form
from carevia.domain.catalogue.admin_repository import ServiceAdminRepository, SlugTaken
from carevia.domain.catalogue.models import Service, ServiceStatus
from carevia.domain.files import FileKind, FileService
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound, Page
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.documents import to_document
from carevia.domain.shared.pagination import clamp_page
from carevia.domain.shared.text import Text

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 100
SLUG_TAKEN = Text("This address is already used by another service.")
STALE = Text(
    "Someone else saved this service after you opened it. Reload the page to see their changes."
)
CHANGED = Text("The service changed while you were looking at it. Please try again.")
STATUS_LABELS: dict[str, str] = {
    "active": Text("Active"),
    "inactive": Text("Inactive"),
    "archived": Text("Archived"),
}
Removal = Literal["archived", "deleted"]


def _now() -> datetime:
    """Now, to the millisecond MongoDB keeps, so a stored time compares equal to ours."""
    now = utc_now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class ServiceListFilter(msgspec.Struct, frozen=True, kw_only=True):
    text: str | None = None
    status: ServiceStatus | None = None

    @classmethod
    def from_query(cls, text: str, status: str) -> ServiceListFilter:
        text = text.strip()
        if len(text) > MAX_SEARCH_LENGTH:
            raise Invalid(
                {
                    "q": Text(
                        "Search text can be at most %(limit)d characters.", limit=MAX_SEARCH_LENGTH
                    )
                }
            )
        if status and status not in STATUS_LABELS:
            raise Invalid({"status": Text("Choose active, inactive or archived.")})
        return cls(text=text or None, status=status or None)  # type: ignore[arg-type]

    def query_pairs(self, page: int | None = None) -> list[tuple[str, str]]:
        pairs = [("q", self.text)] if self.text else []
        pairs += [("status", self.status)] if self.status else []
        return pairs + ([("page", str(page))] if page and page > 1 else [])

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.status)


class ServiceAdministration:
    def __init__(
        self,
        services: ServiceAdminRepository,
        audit: AuditLog,
        currency: str,
        files: FileService,
    ) -> None:
        self._services = services
        self._audit = audit
        self._currency = currency
        self._files = files

    async def list_services(
        self, actor: User, filters: ServiceListFilter, page: int, size: int = PAGE_SIZE
    ) -> Page[Service]:
        _require_admin(actor)
        total = await self._services.count(filters.text, filters.status)
        request = clamp_page(page, total, min(max(size, 1), MAX_PAGE_SIZE))
        items = await self._services.search(
            filters.text, filters.status, skip=request.skip, limit=request.size
        )
        return Page(items=items, number=request.number, size=request.size, total=total)

    async def get(self, actor: User, slug: str) -> Service:
        _require_admin(actor)
        service = await self._services.get_by_slug(slug)
        if service is None:
            raise NotFound(Text("There is no service at “%(slug)s”.", slug=slug))
        return service

    async def create(self, actor: User, form: ServiceForm) -> Service:
        _require_admin(actor)
        now = _now()
        fields = read_form(form) | {
            "currency": self._currency,
            "created_at": now,
            "updated_at": now,
        }
        try:
            service = await self._services.insert(msgspec.convert(fields, Service))
        except SlugTaken as taken:
            raise Invalid({"slug": SLUG_TAKEN}) from taken
        await self._record("admin.service_created", actor, service, status=service.status)
        return service

    async def update(self, actor: User, slug: str, form: ServiceForm) -> Service:
        current = await self.get(actor, slug)
        fields = read_form(form, was_archived=current.status == "archived")
        if form.version and form.version != current.updated_at.isoformat():
            raise Invalid({"version": STALE})
        changed = msgspec.convert(to_document(current) | fields | {"updated_at": _now()}, Service)
        try:
            saved = await self._services.update(current, changed)
        except SlugTaken as taken:
            raise Invalid({"slug": SLUG_TAKEN}) from taken
        if saved is None:
            raise Invalid({"version": STALE})
        before, after = to_document(current), to_document(saved)
        edited = sorted(k for k in after if k != "updated_at" and after[k] != before.get(k))
        await self._record("admin.service_updated", actor, saved, changed=edited)
        return saved

    async def toggle_status(self, actor: User, slug: str) -> Service:
        """Active becomes inactive; inactive or archived becomes active again."""
        current = await self.get(actor, slug)
        becomes: ServiceStatus = "inactive" if current.status == "active" else "active"
        assert current.id is not None
        saved = await self._services.set_status(
            current.id, was=current.status, becomes=becomes, at=_now()
        )
        if saved is None:
            raise Conflict(CHANGED)
        await self._record(
            "admin.service_status_changed", actor, saved, before=current.status, after=becomes
        )
        return saved

    async def replace_image(
        self, actor: User, slug: str, content: bytes, file_name: str
    ) -> Service:
        """Show an uploaded picture for this service instead of its category's drawing.

        A refused file raises Invalid and stores nothing; if the service goes away while
        the picture is stored, the picture is removed again rather than left unreferenced.
        """
        current = await self.get(actor, slug)
        assert current.id is not None
        upload = await self._files.store(FileKind.SERVICE_IMAGE, content, file_name, actor)
        saved = await self._services.set_image(current.id, upload.url(), _now())
        if saved is None:
            await self._files.discard(upload.id)
            raise Conflict(CHANGED)
        await self._record("admin.service_image_changed", actor, saved, image=upload.url())
        return saved

    async def has_bookings(self, actor: User, service: Service) -> bool:
        _require_admin(actor)
        return service.id is not None and await self._services.has_bookings(service.id)

    async def remove(self, actor: User, slug: str) -> Removal:
        """Delete a service no booking refers to; otherwise archive it.

        Archiving comes first: from then on no new booking can pick the service, so the
        check for bookings cannot be overtaken by one made in the meantime.
        """
        current = await self.get(actor, slug)
        assert current.id is not None
        archived = current
        if current.status != "archived":
            moved = await self._services.set_status(
                current.id, was=current.status, becomes="archived", at=_now()
            )
            if moved is None:
                raise Conflict(
                    Text("The service changed while you were looking at it. Please try again.")
                )
            archived = moved
        if await self._services.has_bookings(current.id):
            if current.status != "archived":
                await self._record("admin.service_archived", actor, archived, before=current.status)
            return "archived"
        await self._services.delete_archived(current.id)
        await self._record("admin.service_deleted", actor, current, before=current.status)
        return "deleted"

    async def _record(self, action: str, actor: User, service: Service, **details: Any) -> None:
        await self._audit.record(
            action,
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="service",
            target_id=str(service.id),
            slug=service.slug,
            name=service.name,
            **details,
        )


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Forbidden(Text("Only admins can manage services."))
