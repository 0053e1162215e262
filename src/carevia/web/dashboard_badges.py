"""Counts the admin dashboard's navigation shows on every page, read before the handler runs."""

from __future__ import annotations

from typing import Any

from litestar import Request

from carevia.domain.accounts import User
from carevia.web.templating import is_fragment_request


async def note_dashboard_badges(request: Request[Any, Any, Any]) -> None:
    """Admins' whole dashboard pages get counts from stored records.

    The failed refunds, and the applications waiting for a decision.
    """
    if not request.url.path.startswith("/dashboard") or is_fragment_request(request):
        return
    user = request.scope.get("user")
    if isinstance(user, User) and user.role == "admin":
        queries = request.app.state.services.payment_queries
        request.state.failed_refunds = await queries.failed_refunds()
        applications = request.app.state.services.applications
        request.state.waiting_applications = await applications.waiting_count()
