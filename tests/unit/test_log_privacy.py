"""The log watch of the test run recognises personal data, and only that."""

from __future__ import annotations

import logging

import pytest

from carevia.access_log import WithoutQueryStrings
from carevia.domain.caregivers.seed import demo_caregivers
from tests.support.log_privacy import PersonalDataWatch, denylist_pattern


@pytest.fixture
def watch() -> PersonalDataWatch:
    return PersonalDataWatch(denylist_pattern())


def record(message: str, *args: object, name: str = "carevia.mail") -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)


@pytest.mark.parametrize(
    "leak",
    [
        "amina@example.com",
        "Rahim.Uddin@Example.com",
        "+8801712345678",
        "01812-345678",
        "House 12, Road 5",
        "calm-river-morning-42",
        "GET /reset-password?token=Zx8_kP2qL9mN4vB7cR1t HTTP/1.1",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig",
        demo_caregivers()[0].display_name,
        demo_caregivers()[0].email,
    ],
)
def test_a_record_with_personal_data_is_kept(watch: PersonalDataWatch, leak: str) -> None:
    watch.emit(record("mail to %s delivered", leak))
    assert len(watch.leaks) == 1
    assert "carevia.mail" in watch.leaks[0]


@pytest.mark.parametrize(
    "message",
    [
        "mail 6753a9f1c2e4b5a6d7e8f901 delivered",
        "GET /services?page=2 HTTP/1.1 200",
        "booking CV-7K2M9Q confirmed at 1733480000123",
        "notification ids 120..133 never appeared",
        "mail worker started, sending as Carevia <no-reply@carevia.example>",
    ],
)
def test_ordinary_operational_records_pass(watch: PersonalDataWatch, message: str) -> None:
    watch.emit(record(message))
    assert watch.leaks == []


def test_the_test_clients_own_request_log_is_not_the_applications(
    watch: PersonalDataWatch,
) -> None:
    watch.emit(record("HTTP Request: GET /x?email=%s", "amina@example.com", name="httpx"))
    assert watch.leaks == []


def test_the_access_log_keeps_the_path_and_drops_the_query() -> None:
    line = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/verify-email?token=Zx8_kP2qL9mN4vB7cR1t", "1.1", 200),
        None,
    )
    assert WithoutQueryStrings().filter(line)
    assert line.getMessage() == '127.0.0.1:5000 - "GET /verify-email HTTP/1.1" 200'
