"""The public "Become a caregiver" page: the steps, the applicant's form, files and status."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.applications import Application, ApplicationForm, ApplicationService
from carevia.domain.applications.validation import form_of
from carevia.domain.caregivers.models import WEEKDAYS
from carevia.domain.catalogue.models import Category
from carevia.domain.files import UPLOAD_BODY_LIMIT
from carevia.domain.shared import Invalid
from carevia.domain.shared.text import Text
from carevia.web.guards import current_user, require_user
from carevia.web.templating import render
from carevia.web.uploads import FileUpload

PAGE = "applications/apply.html"
PATH = "/become-a-caregiver"
DONE = {
    "saved": Text("Your answers are saved."),
    "submitted": Text("Your application is sent. We will let you know by email."),
    "document": Text("The file is added."),
    "removed": Text("The file is removed."),
    "photo": Text("Your photo is added."),
}


def _page(
    request: Request[Any, Any, Any],
    application: Application | None,
    *,
    form: ApplicationForm | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        PAGE,
        status_code=status_code,
        application=application,
        form=form or form_of(application),
        errors=errors or {},
        notice=notice,
        categories=list(Category),
        weekdays=WEEKDAYS,
    )


class ApplicationController(Controller):
    path = PATH
    include_in_schema = False

    @get("/", name="applications.page")
    async def page(
        self,
        request: Request[Any, Any, Any],
        applications: NamedDependency[ApplicationService],
        done: FromQuery[str] = "",
    ) -> Template:
        user = current_user(request)
        application = None if user is None else await applications.mine(user)
        return _page(request, application, notice=DONE.get(done))

    @post("/", name="applications.save", guards=[require_user], status_code=200)
    async def save(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        data: Annotated[ApplicationForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        try:
            application = await applications.save(request.user, data)
        except Invalid as invalid:
            mine = await applications.mine(request.user)
            return _page(request, mine, form=data, errors=invalid.fields, status_code=422)
        done = "submitted" if application.status == "submitted" else "saved"
        return Redirect(f"{PATH}?done={done}", status_code=303)

    @post(
        "/documents",
        name="applications.document",
        guards=[require_user],
        status_code=200,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add_document(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        try:
            await applications.add_document(request.user, await data.content(), data.file_name)
        except Invalid as invalid:
            return await self._refused(request, applications, "document", invalid)
        return Redirect(f"{PATH}?done=document#documents", status_code=303)

    @post(
        "/documents/{upload_id:str}/remove",
        name="applications.document.remove",
        guards=[require_user],
    )
    async def remove_document(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        upload_id: FromPath[str],
    ) -> Redirect:
        await applications.remove_document(request.user, upload_id)
        return Redirect(f"{PATH}?done=removed#documents", status_code=303)

    @post(
        "/photo",
        name="applications.photo",
        guards=[require_user],
        status_code=200,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def set_photo(
        self,
        request: Request[User, Any, Any],
        applications: NamedDependency[ApplicationService],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        try:
            await applications.set_photo(request.user, await data.content(), data.file_name)
        except Invalid as invalid:
            return await self._refused(request, applications, "photo", invalid)
        return Redirect(f"{PATH}?done=photo#documents", status_code=303)

    @staticmethod
    async def _refused(
        request: Request[User, Any, Any],
        applications: ApplicationService,
        field: str,
        invalid: Invalid,
    ) -> Template:
        mine = await applications.mine(request.user)
        message = invalid.fields.get("file", invalid.message)
        return _page(request, mine, errors={field: message}, status_code=422)
