"""A booking's messages, from the patient's booking page and from the staff visit page.

Both pages include `messages/_thread.html`; these handlers serve its block to htmx and take
the form's post, which without JavaScript answers with a redirect back to the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.messages import MessageForm, MessageService
from carevia.domain.shared import Conflict, Invalid, RateLimited
from carevia.web.guards import require_role, require_user
from carevia.web.templating import is_fragment_request, render

THREAD_TEMPLATE = "messages/_thread.html"
UrlForm = Body(media_type=RequestEncodingType.URL_ENCODED)


async def show_thread(
    request: Request[User, Any, Any], messages: MessageService, code: str, *, dashboard: bool
) -> Response[Any] | Template:
    """htmx gets the thread block; a browser without it is sent to the page that holds it."""
    view = await messages.thread(request.user, code, dashboard=dashboard)
    if not is_fragment_request(request):
        return Redirect(f"{view.page_url}#messages", status_code=303)
    return render(request, THREAD_TEMPLATE, block="thread", thread=view)


async def send(
    request: Request[User, Any, Any],
    messages: MessageService,
    code: str,
    form: MessageForm,
    *,
    dashboard: bool,
) -> Response[Any] | Template:
    """Post, then the new thread block (htmx) or a redirect to the page (a plain form).

    A refused message keeps its draft: htmx gets the block with the reason (422, which it
    swaps); a plain form gets the error page with the reason and its own status.
    """
    try:
        view = await messages.post(request.user, code, form.text, dashboard=dashboard)
    except (Invalid, Conflict, RateLimited) as refused:
        if not is_fragment_request(request):
            raise
        fields = refused.fields if isinstance(refused, Invalid) else {}
        view = await messages.thread(
            request.user,
            code,
            dashboard=dashboard,
            draft=form.text,
            error=next(iter(fields.values()), refused.message),
        )
        return render(request, THREAD_TEMPLATE, block="thread", status_code=422, thread=view)
    if not is_fragment_request(request):
        return Redirect(f"{view.page_url}#messages", status_code=303)
    return render(request, THREAD_TEMPLATE, block="thread", thread=view)


class MessageController(Controller):
    """The patient's side, on /bookings/{code}; any person of the thread may use it."""

    path = "/bookings/{code:str}/messages"
    guards = [require_user]
    include_in_schema = False

    @get("/", name="messages.thread")
    async def thread(
        self,
        request: Request[User, Any, Any],
        messages: NamedDependency[MessageService],
        code: FromPath[str],
    ) -> Response[Any] | Template:
        return await show_thread(request, messages, code, dashboard=False)

    @post("/", name="messages.post", status_code=200)
    async def post_message(
        self,
        request: Request[User, Any, Any],
        messages: NamedDependency[MessageService],
        code: FromPath[str],
        data: Annotated[MessageForm, UrlForm],
    ) -> Response[Any] | Template:
        return await send(request, messages, code, data, dashboard=False)


class DashboardMessageController(Controller):
    """The caregiver's and support's side, on the visit page, and support's inbox."""

    path = "/dashboard"
    guards = [require_role("admin", "caregiver")]
    include_in_schema = False

    @get("/bookings/{code:str}/messages", name="dashboard.messages.thread")
    async def thread(
        self,
        request: Request[User, Any, Any],
        messages: NamedDependency[MessageService],
        code: FromPath[str],
    ) -> Response[Any] | Template:
        return await show_thread(request, messages, code, dashboard=True)

    @post("/bookings/{code:str}/messages", name="dashboard.messages.post", status_code=200)
    async def post_message(
        self,
        request: Request[User, Any, Any],
        messages: NamedDependency[MessageService],
        code: FromPath[str],
        data: Annotated[MessageForm, UrlForm],
    ) -> Response[Any] | Template:
        return await send(request, messages, code, data, dashboard=True)

    @get("/messages", name="dashboard.messages")
    async def inbox(
        self,
        request: Request[User, Any, Any],
        messages: NamedDependency[MessageService],
        page: FromQuery[int] = 1,
    ) -> Template:
        return render(
            request,
            "dashboard/messages.html",
            block="inbox",
            inbox=await messages.inbox(request.user, page),
        )
