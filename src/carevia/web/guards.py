"""The one place for role checks on routes; ownership is checked by domain services."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from carevia.domain.accounts import Role, User
from carevia.domain.shared.text import Text
from carevia.web.auth import AuthInfo

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Connection = ASGIConnection[Any, Any, Any, Any]


def current_user(connection: Connection) -> User | None:
    user = connection.scope.get("user")
    return user if isinstance(user, User) else None


def require_user(connection: Connection, _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("Please log in to continue.")


def require_role(*roles: Role) -> Guard:
    def guard(connection: Connection, handler: BaseRouteHandler) -> None:
        require_user(connection, handler)
        user = current_user(connection)
        if user is None or user.role not in roles:
            raise PermissionDeniedException(Text("Your account does not have access to this page."))

    return guard


def require_bearer_for_writes(connection: Connection, _: BaseRouteHandler) -> None:
    """JSON routes accept the session cookie for reading only; changes need a bearer token."""
    auth = connection.scope.get("auth")
    if connection.scope.get("method") not in SAFE_METHODS and not (
        isinstance(auth, AuthInfo) and auth.via == "bearer"
    ):
        raise PermissionDeniedException(
            "Changes through the API need an 'Authorization: Bearer' token."
        )
