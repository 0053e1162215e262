"""Schemathesis against /schema/openapi.json, in-process, with a bearer token for each role.

Every documented operation is called with generated valid and invalid input by anonymous
callers, a patient, a caregiver and an admin. The answer must be no server error, with a
status code, content type, headers and body the document declares, and valid input must
not be refused as invalid. The admin's destructive calls land in this test's own database.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.accounts import Client, UserFactory, api_token
from tests.support.bookings import CaregiverFactory
from tests.support.examples import examples

BASE_URL = "https://testserver.local"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
# Bounded so the whole run stays near 15 s: valid input gets more cases than invalid.
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}
ROLES = ("anonymous", "patient", "caregiver", "admin")
# Rules the document cannot state (between fields, against stored state, or on each item of a
# list, which Litestar leaves out): schema-valid input may get a 400 naming the field, so
# "valid data is accepted" is not asked of these operations. Every other check still is.
RULES_BEYOND_THE_SCHEMA = {
    # A category's own picture; a free address (slug); the `version` of the last save.
    "POST /api/v1/services",
    "PUT /api/v1/services/{slug}",
    "POST /api/v1/services/{slug}",
    # Each day's start comes before its end.
    "PUT /api/v1/caregivers/{caregiver_id}/availability",
    "PUT /api/v1/me/caregiver/availability",
    # A caregiver may be named only when a visit starts.
    "POST /api/v1/bookings/{code}/transition",
    # Each language is non-blank and has no comma; each certification at most 120 characters.
    "PUT /api/v1/me/caregiver/profile",
}


def generated_cases(schema: Any) -> list[Case[Any]]:
    """A fixed, reproducible set of cases for every operation the document lists."""
    cases: list[Case[Any]] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, count in EXAMPLES.items():
            try:
                cases += examples(operation.as_strategy(generation_mode=mode), count)
            except Unsatisfiable:
                # An operation with no parameters and no body has no invalid input to send.
                assert mode is GenerationMode.NEGATIVE, operation.label
    return cases


def checks_for(case: Case[Any]) -> list[Any]:
    if case.operation.label in RULES_BEYOND_THE_SCHEMA:
        return [check for check in CHECKS if check is not positive_data_acceptance]
    return CHECKS


async def send(client: Client, case: Case[Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    sent = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    # The test client is httpx, the transport's words are requests': a raw body is `content`.
    if isinstance(sent.get("data"), bytes | str):
        sent["content"] = sent.pop("data")
    client.cookies.clear()
    return await client.request(
        sent.pop("method"),
        sent.pop("url"),
        **{k: v for k, v in sent.items() if k in ("params", "headers", "json", "data", "content")},
    )


@pytest.fixture
async def tokens(
    client: Client, make_user: UserFactory, make_caregiver: CaregiverFactory, seeded: int
) -> dict[str, str | None]:
    await make_user("amina@example.com")
    await make_caregiver("carer@example.com")
    await make_user("admin@example.com", role="admin")
    return {
        "anonymous": None,
        "patient": await api_token(client, "amina@example.com"),
        "caregiver": await api_token(client, "carer@example.com"),
        "admin": await api_token(client, "admin@example.com"),
    }


async def test_every_operation_answers_as_documented_for_every_role(
    client: Client, tokens: dict[str, str | None]
) -> None:
    schema = schemathesis.openapi.from_dict((await client.get("/schema/openapi.json")).json())
    cases = generated_cases(schema)
    failures: list[str] = []
    for case in cases:
        for role in ROLES:
            response = await send(client, case, tokens[role])
            try:
                case.validate_response(response, checks=checks_for(case))
            except (AssertionError, BaseExceptionGroup) as found:
                problems = found.exceptions if isinstance(found, BaseExceptionGroup) else [found]
                for problem in problems:
                    title = getattr(problem, "title", type(problem).__name__)
                    failures.append(
                        f"{role} {case.operation.label} -> {response.status_code}: {title}"
                        f"\n    {case.as_curl_command()}\n    {response.text[:300]}"
                    )
    print(f"{len(cases)} cases x {len(ROLES)} roles = {len(cases) * len(ROLES)} requests")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures)))


async def test_an_undeclared_method_answers_405_naming_the_declared_ones(
    client: Client, tokens: dict[str, str | None]
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    checked = 0
    for path, item in document["paths"].items():
        declared = {m.upper() for m in item if m in ("get", "put", "post", "patch", "delete")}
        url = path.replace("{", "").replace("}", "")
        for method in {"GET", "PUT", "POST", "PATCH", "DELETE"} - declared:
            answer = await client.request(method, url, headers=headers)
            assert answer.status_code == 405, (method, path, answer.status_code)
            allowed = {m.strip() for m in answer.headers.get("allow", "").split(",")}
            assert declared <= allowed, (method, path, answer.headers.get("allow"))
            checked += 1
    print(f"{checked} undeclared methods answered 405")
