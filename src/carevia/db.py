"""One AsyncMongoClient per process, opened in the app lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pymongo import AsyncMongoClient, IndexModel, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts.repository import INDEXES as ACCOUNT_INDEXES
from carevia.domain.accounts.reset_throttle import INDEXES as RESET_THROTTLE_INDEXES
from carevia.domain.applications import INDEXES as APPLICATION_INDEXES
from carevia.domain.audit import INDEXES as AUDIT_INDEXES
from carevia.domain.auth.openid_attempts import INDEXES as OPENID_ATTEMPT_INDEXES
from carevia.domain.auth.refresh import INDEXES as REFRESH_TOKEN_INDEXES
from carevia.domain.auth.sessions import INDEXES as SESSION_INDEXES
from carevia.domain.auth.throttle import INDEXES as THROTTLE_INDEXES
from carevia.domain.bookings.read_models import INDEXES as BOOKING_QUERY_INDEXES
from carevia.domain.bookings.repository import INDEXES as BOOKING_INDEXES
from carevia.domain.care import INDEXES as CARE_INDEXES
from carevia.domain.caregivers.repository import INDEXES as CAREGIVER_INDEXES
from carevia.domain.catalogue.admin_repository import INDEXES as CATALOGUE_ADMIN_INDEXES
from carevia.domain.catalogue.repository import INDEXES as CATALOGUE_INDEXES
from carevia.domain.contact.repository import INDEXES as CONTACT_INDEXES
from carevia.domain.files import INDEXES as FILE_INDEXES
from carevia.domain.mail.repository import INDEXES as MAIL_INDEXES
from carevia.domain.messages import INDEXES as MESSAGE_INDEXES
from carevia.domain.notifications import INDEXES as NOTIFICATION_INDEXES
from carevia.domain.notifications.tickets import INDEXES as EVENT_TICKET_INDEXES
from carevia.domain.payments.read_models import INDEXES as PAYMENT_QUERY_INDEXES
from carevia.domain.payments.repository import INDEXES as PAYMENT_INDEXES
from carevia.domain.reminders.agenda_days import INDEXES as AGENDA_DAY_INDEXES
from carevia.domain.reviews import INDEXES as REVIEW_INDEXES
from carevia.domain.series.repository import INDEXES as SERIES_INDEXES
from carevia.domain.stats.repository import INDEXES as STATS_INDEXES
from carevia.domain.waitlist import INDEXES as WAITLIST_INDEXES
from carevia.settings import Settings

Document = dict[str, Any]
Database = AsyncDatabase[Document]
IndexDeclaration = Mapping[str, Sequence[IndexModel]]

ALL_INDEXES: tuple[IndexDeclaration, ...] = (
    ACCOUNT_INDEXES,
    APPLICATION_INDEXES,
    AUDIT_INDEXES,
    BOOKING_INDEXES,
    BOOKING_QUERY_INDEXES,
    CARE_INDEXES,
    CAREGIVER_INDEXES,
    CATALOGUE_INDEXES,
    CATALOGUE_ADMIN_INDEXES,
    CONTACT_INDEXES,
    FILE_INDEXES,
    MAIL_INDEXES,
    AGENDA_DAY_INDEXES,
    MESSAGE_INDEXES,
    NOTIFICATION_INDEXES,
    OPENID_ATTEMPT_INDEXES,
    EVENT_TICKET_INDEXES,
    PAYMENT_INDEXES,
    PAYMENT_QUERY_INDEXES,
    REFRESH_TOKEN_INDEXES,
    RESET_THROTTLE_INDEXES,
    REVIEW_INDEXES,
    SERIES_INDEXES,
    SESSION_INDEXES,
    THROTTLE_INDEXES,
    STATS_INDEXES,
    WAITLIST_INDEXES,
)


def open_client(
    settings: Settings, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncMongoClient[Document]:
    if not settings.database.uri:
        raise RuntimeError("the database URI is not set")
    return AsyncMongoClient(
        settings.database.uri,
        tz_aware=True,
        uuidRepresentation="standard",
        # A bounded wait turns a database outage into a quick 503 instead of a 30 s hang.
        timeoutMS=settings.database.timeout_ms,
        serverSelectionTimeoutMS=settings.database.timeout_ms,
        appname="carevia",
        # A confirmed payment must survive a database crash. MongoDB journals majority
        # writes by default; SecantusDB acknowledges them before its journal reaches
        # the OS (an insert killed within a second of its reply is gone), so ask for j.
        w="majority",
        journal=True,
        event_listeners=list(listeners),
    )


async def ensure_indexes(
    database: AsyncDatabase[Document], declarations: Sequence[IndexDeclaration] = ALL_INDEXES
) -> None:
    for declaration in declarations:
        for collection, indexes in declaration.items():
            if indexes:
                await database[collection].create_indexes(list(indexes))


@asynccontextmanager
async def connected_database(
    settings: Settings, listeners: Sequence[monitoring.CommandListener] = ()
) -> AsyncIterator[AsyncDatabase[Document]]:
    client = open_client(settings, listeners)
    try:
        database = client[settings.database.name]
        await client.admin.command("ping")
        await ensure_indexes(database)
        yield database
    finally:
        await client.close()


async def is_reachable(database: AsyncDatabase[Document]) -> bool:
    try:
        await database.client.admin.command("ping")
    except Exception:
        return False
    return True
