"""Personal and health data never reaches a log: every record of the run is checked.

Every record any logger handles is looked at: in-process apps, and the live server's log
file for the browser tests. The check sits in `Logger.handle` rather than in a root handler
because the app's logging configuration replaces the root handlers. At the end of the run,
a record holding a denylisted value fails the session. Records of the test's own HTTP
client are not the application's logs and are left out.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from carevia.domain.accounts.seed import DEMO_ADMIN_EMAIL
from carevia.domain.caregivers.seed import demo_caregivers
from tests.support.care import SENTINELS as CARE_NEEDS_VALUES
from tests.support.visits import REPORT_VALUES

# What the fixtures and flows put into accounts and bookings: passwords, addresses, phones,
# notes. Seeded caregivers' names and emails are added from the seed file itself.
FIXTURE_VALUES = (
    "calm-river-morning-42",  # tests.support.accounts.DEFAULT_PASSWORD
    "sunrise-over-the-padma",
    "green-tea-at-seven",
    "a-brand-new-phrase",
    "House 12, Road 5",
    "House 9, Road 3, Uttara",
    "Flat 3B, 14 Lake Road",
    "House 4, Road 2, Dhanmondi",
    "Second floor",
    DEMO_ADMIN_EMAIL,
    # Messages on a booking: what families write never reaches a log.
    "Keep the medicine box ready.",
    "Could you arrive at 9 instead?",
    "The gate code is 4821",
    *CARE_NEEDS_VALUES,  # a loved one's care needs, and her name
    *REPORT_VALUES,
)
PATTERNS = (
    r"[\w.+-]+@(?:[\w-]+\.)*example\.(?:com|org)\b",  # every test person's email
    r"(?<![\w+])(?:\+?880|0)1[3-9]\d{2}[- ]?\d{6}(?!\d)",  # Bangladeshi mobile numbers
    r"\btoken=[\w-]{16,}",  # reset, verification and event links
    r"\beyJ[\w-]{8,}\.[\w-]{8,}",  # JSON web tokens
    r"\$argon2id\$",  # password hashes
)
# The test's own HTTP client and SMTP server (aiosmtpd logs as "mail.log") are not the app.
NOT_THE_APPLICATION = ("httpx", "httpcore", "hypothesis", "faker", "mail.log")


def seeded_people() -> Iterable[str]:
    for caregiver in demo_caregivers():
        yield caregiver.email
        yield caregiver.display_name


def denylist_pattern() -> re.Pattern[str]:
    values = [re.escape(value) for value in (*FIXTURE_VALUES, *seeded_people())]
    return re.compile("|".join([*PATTERNS, *values]), re.IGNORECASE)


class PersonalDataWatch(logging.Handler):
    """Keeps every record that holds a denylisted value; cheap enough to watch every record."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(level=logging.NOTSET)
        self.pattern = pattern
        self.leaks: list[str] = []
        self.checked = 0

    def leak_in(self, text: str) -> str | None:
        found = self.pattern.search(text)
        return None if found is None else found.group(0)

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_THE_APPLICATION):
            return
        self.checked += 1
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not ours
            return
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]}"
        if leaked := self.leak_in(text):
            self.leaks.append(f"{record.name}: {leaked!r} in {text[:300]!r}")

    def scan_file(self, path: Path) -> None:
        """Lines of a log another process wrote, such as the live server's."""
        if not path.exists():
            return
        for line in path.read_text(errors="replace").splitlines():
            self.checked += 1
            if leaked := self.leak_in(line):
                self.leaks.append(f"{path.name}: {leaked!r} in {line[:300]!r}")


WATCH = PersonalDataWatch(denylist_pattern())


_HANDLE = logging.Logger.handle


def _watched_handle(logger: logging.Logger, record: logging.LogRecord) -> None:
    WATCH.emit(record)
    _HANDLE(logger, record)


def pytest_configure(config: pytest.Config) -> None:
    logging.Logger.handle = _watched_handle  # type: ignore[method-assign,assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.Logger.handle = _HANDLE  # type: ignore[method-assign]


# Under pytest-xdist each worker watches its own records and hands them to the controlling
# process when it finishes; only the controller reports and fails the run.
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    found = getattr(node, "workeroutput", {}).get("log_privacy")
    if found:
        WATCH.checked += found["checked"]
        WATCH.leaks.extend(found["leaks"])


# After the session fixtures are torn down, so the live server's log has been read.
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["log_privacy"] = {"checked": WATCH.checked, "leaks": list(WATCH.leaks)}
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not WATCH.leaks:
        if reporter is not None and WATCH.checked:
            reporter.write_line(
                f"log records checked for personal data: {WATCH.checked}, none found"
            )
        return
    if reporter is not None:
        reporter.section("personal data in the logs", sep="=", red=True)
        sources = Counter(leak.split(":", 1)[0] for leak in WATCH.leaks)
        reporter.line(
            f"{len(WATCH.leaks)} records: " + ", ".join(f"{n} from {s}" for s, n in sources.items())
        )
        for source in sources:
            for leak in [leak for leak in WATCH.leaks if leak.startswith(source + ":")][:5]:
                reporter.line(leak)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
