"""The catalogue in the admin dashboard: list, add, edit, switch on and off, and remove services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.catalogue.admin_form import (
    IMAGES,
    NEW_SERVICE_FORM,
    TYPE_LABELS,
    ServiceForm,
)
from carevia.domain.catalogue.administration import (
    STATUS_LABELS,
    ServiceAdministration,
    ServiceListFilter,
)
from carevia.domain.files import UPLOAD_BODY_LIMIT
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text
from carevia.web.guards import require_role
from carevia.web.templating import is_fragment_request, render, trigger
from carevia.web.uploads import FileUpload

LIST_TEMPLATE = "dashboard/services.html"
FORM_TEMPLATE = "dashboard/service_form.html"
UrlForm = Body(media_type=RequestEncodingType.URL_ENCODED)
DONE = {
    "status": Text("The service's status is changed."),
    "archived": Text(
        "Bookings refer to that service, so it is archived: patients no longer see it."
    ),
    "deleted": Text("The service is deleted."),
}
SAVED = {
    "created": Text("The service is added."),
    "updated": Text("Your changes are saved."),
    "image": Text("The new picture is shown on the catalogue and the service page."),
}


def go_to(request: Request[User, Any, Any], url: str) -> Response[Any]:
    """After a change: htmx navigates with HX-Redirect, a plain form follows a 303."""
    if is_fragment_request(request):
        return ClientRedirect(url)
    return Redirect(url, status_code=303)


def form_page(
    request: Request[User, Any, Any],
    form: ServiceForm,
    *,
    slug: str | None = None,
    errors: dict[str, str] | None = None,
    saved: str = "",
    status_code: int = 200,
    image_error: str = "",
) -> Template:
    return render(
        request,
        FORM_TEMPLATE,
        block="service_form",
        status_code=status_code,
        form=form,
        slug=slug,
        errors=errors or {},
        saved=SAVED.get(saved),
        images=IMAGES,
        type_labels=TYPE_LABELS,
        image_error=image_error,
    )


class DashboardServiceController(Controller):
    path = "/dashboard/services"
    guards = [require_role("admin")]
    include_in_schema = False

    @get("/", name="dashboard.services")
    async def list_services(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: FromQuery[int] = 1,
        done: FromQuery[str] = "",
    ) -> Template:
        filters = ServiceListFilter.from_query(q, status)
        results = await service_admin.list_services(request.user, filters, page)
        return render(
            request,
            LIST_TEMPLATE,
            block="service_rows",
            filters=filters,
            results=results,
            notice=DONE.get(done),
            service_status_labels=STATUS_LABELS,
        )

    @get("/new", name="dashboard.services.new")
    async def new(self, request: Request[User, Any, Any]) -> Template:
        return form_page(request, NEW_SERVICE_FORM)

    @post("/", name="dashboard.services.create", status_code=200)
    async def create(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        data: Annotated[ServiceForm, UrlForm],
    ) -> Response[Any] | Template:
        try:
            service = await service_admin.create(request.user, data)
        except Invalid as invalid:
            return form_page(request, data, errors=invalid.fields, status_code=422)
        return go_to(request, f"/dashboard/services/{service.slug}/edit?saved=created")

    @get("/{slug:str}/edit", name="dashboard.services.edit")
    async def edit(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
        saved: FromQuery[str] = "",
    ) -> Template:
        service = await service_admin.get(request.user, slug)
        return form_page(request, ServiceForm.of(service), slug=slug, saved=saved)

    @post("/{slug:str}", name="dashboard.services.update", status_code=200)
    async def update(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
        data: Annotated[ServiceForm, UrlForm],
    ) -> Response[Any] | Template:
        try:
            service = await service_admin.update(request.user, slug, data)
        except Invalid as invalid:
            return form_page(request, data, slug=slug, errors=invalid.fields, status_code=422)
        return go_to(request, f"/dashboard/services/{service.slug}/edit?saved=updated")

    @post(
        "/{slug:str}/image",
        name="dashboard.services.image",
        status_code=200,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload_image(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any] | Template:
        try:
            await service_admin.replace_image(
                request.user, slug, await data.content(), data.file_name
            )
        except Invalid as invalid:
            message = invalid.fields.get("file", invalid.message)
            form = ServiceForm.of(await service_admin.get(request.user, slug))
            return form_page(request, form, slug=slug, image_error=message, status_code=422)
        return go_to(request, f"/dashboard/services/{slug}/edit?saved=image")

    @post("/{slug:str}/status", name="dashboard.services.status", status_code=200)
    async def toggle_status(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> Response[Any]:
        await service_admin.toggle_status(request.user, slug)
        if is_fragment_request(request):
            # The table listens for this event and reloads itself with its own filters.
            return Response(None, status_code=204, headers=trigger("serviceChanged"))
        return Redirect("/dashboard/services?done=status", status_code=303)

    @get("/{slug:str}/delete", name="dashboard.services.confirm_delete")
    async def confirm_delete(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> Template:
        service = await service_admin.get(request.user, slug)
        return render(
            request,
            "dashboard/service_delete.html",
            service=service,
            has_bookings=await service_admin.has_bookings(request.user, service),
        )

    @post("/{slug:str}/delete", name="dashboard.services.delete", status_code=200)
    async def delete(
        self,
        request: Request[User, Any, Any],
        service_admin: NamedDependency[ServiceAdministration],
        slug: FromPath[str],
    ) -> Response[Any]:
        outcome = await service_admin.remove(request.user, slug)
        return Redirect(f"/dashboard/services?done={outcome}", status_code=303)
