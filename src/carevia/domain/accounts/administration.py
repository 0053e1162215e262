"""What admins do to other people's accounts; every read of personal data is audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bson import ObjectId

from carevia.domain.accounts.models import ROLES, Role, User
from carevia.domain.accounts.repository import UserRepository, parse_object_id
from carevia.domain.audit import AuditLog
from carevia.domain.auth.refresh import RefreshTokenService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.shared import Forbidden, Invalid, NotFound, Page
from carevia.domain.shared.clock import utc_now
from carevia.domain.shared.pagination import clamp_page
from carevia.domain.shared.text import Text

MAX_PAGE_SIZE = 100

# Ends the user's open live streams; the notification hub's `close_streams_of`.
StreamCloser = Callable[[ObjectId], object]


class UserAdministration:
    def __init__(
        self,
        users: UserRepository,
        sessions: SessionRepository,
        refresh_tokens: RefreshTokenService,
        audit: AuditLog,
        close_streams: StreamCloser,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._refresh_tokens = refresh_tokens
        self._audit = audit
        self._close_streams = close_streams

    async def list_users(
        self, actor: User, *, text: str | None, role: str | None, page: int, size: int
    ) -> Page[User]:
        self._require_admin(actor)
        if role and role not in ROLES:
            raise Invalid({"role": Text("Choose patient, caregiver or admin.")})
        size = min(max(size, 1), MAX_PAGE_SIZE)
        query: dict[str, Any] = {"deleted_at": None}
        if role:
            query["role"] = role
        if text:
            pattern = {"$regex": re.escape(text.strip()[:100]), "$options": "i"}
            query["$or"] = [{"email": pattern}, {"first_name": pattern}, {"last_name": pattern}]
        total = await self._users.count(query)
        request = clamp_page(page, total, size)
        items = await self._users.find(query, skip=request.skip, limit=request.size)
        await self._audit.record(
            "admin.users_listed", actor_id=str(actor.id), actor_role=actor.role, count=len(items)
        )
        return Page(items=items, number=request.number, size=request.size, total=total)

    async def read_user(self, actor: User, user_id: str) -> User:
        self._require_admin(actor)
        user = await self._get(user_id)
        await self._audit.record(
            "admin.user_read",
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="user",
            target_id=str(user.id),
        )
        return user

    async def change_role(self, actor: User, user_id: str, role: Role) -> User:
        self._require_admin(actor)
        user = await self._get(user_id)
        if user.id == actor.id:
            raise Forbidden(Text("You cannot change your own role."))
        changed = await self._users.set_role(user.id, role, utc_now())
        await self._end_sessions(user)
        await self._audit.record(
            "admin.role_changed",
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="user",
            target_id=str(user.id),
            before=user.role,
            after=role,
            tokens_revoked=True,
        )
        return changed or user

    async def set_active(self, actor: User, user_id: str, active: bool) -> User:
        self._require_admin(actor)
        user = await self._get(user_id)
        if user.id == actor.id:
            raise Forbidden(Text("You cannot disable your own account."))
        changed = await self._users.revoke_tokens_with(user.id, {"is_active": active}, utc_now())
        if not active:
            await self._end_sessions(user)
        await self._audit.record(
            "admin.user_enabled" if active else "admin.user_disabled",
            actor_id=str(actor.id),
            actor_role=actor.role,
            target_type="user",
            target_id=str(user.id),
            tokens_revoked=True,
        )
        return changed or user

    async def _end_sessions(self, user: User) -> None:
        await self._sessions.delete_for_user(user.id)
        await self._refresh_tokens.revoke_all_for_user(str(user.id))
        # A stream already open would otherwise run on until its next re-check.
        self._close_streams(user.id)

    async def _get(self, user_id: str) -> User:
        oid = parse_object_id(user_id)
        user = None if oid is None else await self._users.get(oid)
        if user is None or user.deleted_at is not None:
            raise NotFound(Text("There is no such user."))
        return user

    @staticmethod
    def _require_admin(actor: User) -> None:
        if actor.role != "admin":
            raise Forbidden(Text("Only admins can manage users."))
