"""Admin JSON routes for user accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from carevia.domain.accounts import Role, User, UserAdministration
from carevia.web.guards import require_bearer_for_writes, require_role
from carevia.web.openapi import errors


class UserSummary(msgspec.Struct, frozen=True):
    id: str
    email: str
    first_name: str
    last_name: str
    role: Role
    is_active: bool
    email_verified: bool
    created_at: datetime


class UserDetail(UserSummary, frozen=True):
    phone: str
    address: str
    city: str
    division: str
    district: str
    postal_code: str | None


class UserList(msgspec.Struct, frozen=True):
    items: list[UserSummary]
    page: int
    pages: int
    total: int


class RoleChange(msgspec.Struct, frozen=True):
    role: Role


class ActiveChange(msgspec.Struct, frozen=True):
    active: bool


def summary(user: User) -> UserSummary:
    return UserSummary(
        id=str(user.id),
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role,
        is_active=user.is_active,
        email_verified=user.is_verified,
        created_at=user.created_at,
    )


def detail(user: User) -> UserDetail:
    return UserDetail(
        **msgspec.structs.asdict(summary(user)),
        phone=user.phone,
        address=user.address,
        city=user.city,
        division=user.division,
        district=user.district,
        postal_code=user.postal_code,
    )


class UserApiController(Controller):
    path = "/api/v1/users"
    tags = ["users"]
    guards = [require_role("admin"), require_bearer_for_writes]

    @get("/", responses=errors(400, 401, 403))
    async def list_users(
        self,
        request: Request[User, Any, Any],
        user_admin: NamedDependency[UserAdministration],
        q: FromQuery[str | None] = None,
        role: FromQuery[Role | None] = None,
        page: FromQuery[int] = 1,
        limit: FromQuery[int] = 20,
    ) -> UserList:
        found = await user_admin.list_users(request.user, text=q, role=role, page=page, size=limit)
        return UserList(
            items=[summary(u) for u in found.items],
            page=found.number,
            pages=found.pages,
            total=found.total,
        )

    @get("/{user_id:str}", responses=errors(401, 403, 404))
    async def read_user(
        self,
        request: Request[User, Any, Any],
        user_admin: NamedDependency[UserAdministration],
        user_id: FromPath[str],
    ) -> UserDetail:
        return detail(await user_admin.read_user(request.user, user_id))

    @post("/{user_id:str}/role", status_code=200, responses=errors(400, 401, 403, 404, 409))
    async def change_role(
        self,
        request: Request[User, Any, Any],
        user_admin: NamedDependency[UserAdministration],
        user_id: FromPath[str],
        data: JSONBody[RoleChange],
    ) -> UserSummary:
        return summary(await user_admin.change_role(request.user, user_id, data.role))

    @post("/{user_id:str}/active", status_code=200, responses=errors(400, 401, 403, 404, 409))
    async def set_active(
        self,
        request: Request[User, Any, Any],
        user_admin: NamedDependency[UserAdministration],
        user_id: FromPath[str],
        data: JSONBody[ActiveChange],
    ) -> UserSummary:
        return summary(await user_admin.set_active(request.user, user_id, data.active))
