"""People I care for: a patient's saved people, each with their care needs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from carevia.domain.accounts import User
from carevia.domain.care import RELATIONSHIPS, PersonForm
from carevia.domain.care.service import CarePeople
from carevia.domain.shared import Invalid
from carevia.web.guards import require_user
from carevia.web.templating import render, render_invalid

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
FORM_TEMPLATE = "care/person_form.html"
NO_STORE = {"Cache-Control": "no-store"}  # care needs are health data: no copies in caches


class CarePeopleController(Controller):
    include_in_schema = False  # a page for people; the OpenAPI document is the JSON API
    path = "/account/people"
    guards = [require_user]

    @get("/", name="care.people")
    async def people(
        self, request: Request[User, Any, Any], care_people: NamedDependency[CarePeople]
    ) -> Template:
        people = await care_people.of_patient(request.user)
        return render(request, "care/people.html", headers=NO_STORE, people=people)

    @get("/new", name="care.people.new")
    async def new(
        self, request: Request[User, Any, Any], care_people: NamedDependency[CarePeople]
    ) -> Template:
        await care_people.of_patient(request.user)  # refuses accounts that do not book care
        return _form_page(request, PersonForm(), None)

    @post("/", name="care.people.add")
    async def add(
        self,
        request: Request[User, Any, Any],
        care_people: NamedDependency[CarePeople],
        data: Annotated[PersonForm, FORM],
    ) -> Response[Any] | Template:
        try:
            person = await care_people.add(request.user, data)
        except Invalid as invalid:
            return _form_page(request, data, None, invalid)
        return Redirect(f"/account/people/{person.id}?saved=1", status_code=303)

    @get("/{person_id:str}", name="care.person")
    async def person(
        self,
        request: Request[User, Any, Any],
        care_people: NamedDependency[CarePeople],
        person_id: FromPath[str],
    ) -> Template:
        person = await care_people.get(request.user, person_id)
        return render(request, "care/person.html", headers=NO_STORE, person=person)

    @get("/{person_id:str}/edit", name="care.person.edit")
    async def edit(
        self,
        request: Request[User, Any, Any],
        care_people: NamedDependency[CarePeople],
        person_id: FromPath[str],
    ) -> Template:
        person = await care_people.get(request.user, person_id)
        return _form_page(request, PersonForm.of(person), person_id)

    @post("/{person_id:str}", name="care.person.update")
    async def update(
        self,
        request: Request[User, Any, Any],
        care_people: NamedDependency[CarePeople],
        person_id: FromPath[str],
        data: Annotated[PersonForm, FORM],
    ) -> Response[Any] | Template:
        try:
            person = await care_people.update(request.user, person_id, data)
        except Invalid as invalid:
            return _form_page(request, data, person_id, invalid)
        return Redirect(f"/account/people/{person.id}?saved=1", status_code=303)

    @post("/{person_id:str}/delete", name="care.person.delete")
    async def delete(
        self,
        request: Request[User, Any, Any],
        care_people: NamedDependency[CarePeople],
        person_id: FromPath[str],
    ) -> Response[Any]:
        """Past bookings keep their own copy of the person; only the saved entry goes."""
        await care_people.remove(request.user, person_id)
        return Redirect("/account/people?removed=1", status_code=303)


def _form_page(
    request: Request[User, Any, Any],
    form: PersonForm,
    person_id: str | None,
    invalid: Invalid | None = None,
) -> Template:
    context: dict[str, Any] = {"form": form, "person_id": person_id, "relationships": RELATIONSHIPS}
    if invalid is not None:
        return render_invalid(request, FORM_TEMPLATE, invalid, headers=NO_STORE, **context)
    return render(request, FORM_TEMPLATE, headers=NO_STORE, errors={}, **context)
