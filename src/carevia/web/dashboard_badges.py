"""Counts the navigation shows on every page, read before the handler runs."""

from __future__ import annotations

from typing import Any

from litestar import Request

from carevia.domain.accounts import User
from carevia.web.templating import is_fragment_request

# Paths that never draw the header: the JSON API, streams, files, the webhook.
_NO_HEADER = (
    "/api/",
    "/static/",
    "/webhooks/",
    "/account/events",
    "/dashboard/events",
    "/files/",
    "/avatars/",
    "/documents/",
    "/healthz",
    "/readyz",
)


async def note_dashboard_badges(request: Request[Any, Any, Any]) -> None:
    """Whole pages get counts from stored records.

    Everyone signed in: their unread messages (support: the threads waiting for an answer),
    one indexed count. Admins' dashboard pages: the failed refunds and the applications
    waiting for a decision.
    """
    if request.method != "GET" or is_fragment_request(request):
        return
    path = request.url.path
    user = request.scope.get("user")
    if not isinstance(user, User) or path.startswith(_NO_HEADER):
        return
    request.state.unread_messages = await request.app.state.services.messages.unread_count(user)
    if path.startswith("/dashboard") and user.role == "admin":
        queries = request.app.state.services.payment_queries
        request.state.failed_refunds = await queries.failed_refunds()
        applications = request.app.state.services.applications
        request.state.waiting_applications = await applications.waiting_count()
