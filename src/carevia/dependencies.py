"""Providers that build domain services per request from the process-wide resources.

The lifespan puts the database and the mail worker on `app.state`; `create_app` puts the
pieces that need no I/O (token codec, mail renderer) there too.
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from carevia.controllers.caregivers import provide_caregivers
from carevia.controllers.dashboard_services import provide_service_admin
from carevia.db import Database
from carevia.domain.accounts import (
    AccountService,
    AccountTokenRepository,
    UserAdministration,
    UserRepository,
)
from carevia.domain.audit import AuditLog
from carevia.domain.auth import RefreshTokenRepository, RefreshTokenService
from carevia.domain.auth.service import AuthService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.auth.throttle import LoginThrottle
from carevia.domain.bookings import BookingRepository, BookingService
from carevia.domain.bookings.administration import BookingAdministration
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.queries import BookingQueries
from carevia.domain.bookings.transitions import BookingTransitions
from carevia.domain.caregivers import CaregiverRepository
from carevia.domain.catalogue import CatalogueService, ServiceRepository
from carevia.domain.contact import ContactRepository, ContactService
from carevia.domain.mail import Mailer, OutboxRepository
from carevia.domain.notifications import NotificationRepository
from carevia.domain.notifications.hub import NotificationHub
from carevia.domain.notifications.tickets import EventTickets
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.service import PaymentService
from carevia.domain.payments.settlement import Settlement
from carevia.domain.shared.clock import utc_now
from carevia.domain.stats import StatisticsRepository, StatisticsService
from carevia.settings import Settings


def provide_database(state: State) -> Database:
    database: Database = state.database
    return database


def mailer_for(state: State) -> Mailer:
    worker = state.get("mail_worker")
    return Mailer(
        OutboxRepository(state.database), state.mail_renderer, worker.wake if worker else None
    )


def auth_service_for(state: State) -> AuthService:
    database: Database = state.database
    return AuthService(
        users=UserRepository(database),
        sessions=SessionRepository(database),
        throttle=LoginThrottle(database),
        access_tokens=state.access_tokens,
        refresh_tokens=RefreshTokenService(RefreshTokenRepository(database)),
        audit=AuditLog(database),
    )


def provide_auth(state: State) -> AuthService:
    return auth_service_for(state)


def provide_accounts(state: State, settings: NamedDependency[Settings]) -> AccountService:
    database: Database = state.database
    return AccountService(
        users=UserRepository(database),
        tokens=AccountTokenRepository(database),
        sessions=SessionRepository(database),
        mailer=mailer_for(state),
        audit=AuditLog(database),
        base_url=settings.public_base_url,
    )


def provide_user_admin(database: NamedDependency[Database]) -> UserAdministration:
    return UserAdministration(
        users=UserRepository(database),
        sessions=SessionRepository(database),
        refresh_tokens=RefreshTokenService(RefreshTokenRepository(database)),
        audit=AuditLog(database),
    )


def notices_for(state: State, settings: Settings) -> BookingNotices:
    return BookingNotices(
        mailer_for(state),
        NotificationRepository(state.database),
        settings.public_base_url,
        utc_now,
        users=UserRepository(state.database),
        writers=state.notification_writers,
    )


def transitions_for(database: Database, notices: BookingNotices | None) -> BookingTransitions:
    return BookingTransitions(
        database, BookingRepository(database), AuditLog(database), notices, utc_now
    )


def booking_service_for(
    database: Database, settings: Settings, notices: BookingNotices | None = None
) -> BookingService:
    return BookingService(
        bookings=BookingRepository(database),
        services=ServiceRepository(database),
        caregivers=CaregiverRepository(database),
        users=UserRepository(database),
        audit=AuditLog(database),
        rules=settings.booking,
        timezone=settings.timezone,
        transitions=transitions_for(database, notices),
        clock=utc_now,
    )


def provide_bookings(state: State, settings: NamedDependency[Settings]) -> BookingService:
    return booking_service_for(state.database, settings, notices_for(state, settings))


def payment_service_for(state: State, settings: Settings) -> PaymentService:
    database: Database = state.database
    notices = notices_for(state, settings)
    return PaymentService(
        gateway=state.payment_gateway,
        bookings=booking_service_for(database, settings, notices),
        booking_records=BookingRepository(database),
        payments=PaymentRepository(database),
        settlement=Settlement(
            database,
            BookingRepository(database),
            PaymentRepository(database),
            transitions_for(database, notices),
            notices,
            AuditLog(database),
            utc_now,
        ),
        audit=AuditLog(database),
        webhook_secret=settings.stripe.webhook_secret,
        base_url=settings.public_base_url,
        clock=utc_now,
    )


def provide_payments(state: State, settings: NamedDependency[Settings]) -> PaymentService:
    return payment_service_for(state, settings)


def provide_booking_queries(
    database: NamedDependency[Database], settings: NamedDependency[Settings]
) -> BookingQueries:
    return BookingQueries(database, settings.timezone)


def provide_booking_admin(
    state: State, settings: NamedDependency[Settings]
) -> BookingAdministration:
    database: Database = state.database
    notices = notices_for(state, settings)
    return BookingAdministration(
        bookings=booking_service_for(database, settings, notices),
        records=BookingRepository(database),
        queries=BookingQueries(database, settings.timezone),
        caregivers=CaregiverRepository(database),
        payments=payment_service_for(state, settings),
        payment_records=PaymentRepository(database),
        notices=notices,
        transitions=transitions_for(database, notices),
        audit=AuditLog(database),
        database=database,
        clock=utc_now,
    )


def provide_catalogue(database: NamedDependency[Database]) -> CatalogueService:
    return CatalogueService(ServiceRepository(database))


def provide_contact(database: NamedDependency[Database]) -> ContactService:
    return ContactService(ContactRepository(database))


def provide_outbox(database: NamedDependency[Database]) -> OutboxRepository:
    return OutboxRepository(database)


def provide_statistics(
    database: NamedDependency[Database], settings: NamedDependency[Settings]
) -> StatisticsService:
    return StatisticsService(
        StatisticsRepository(database),
        timezone=settings.timezone,
        currency=settings.currency,
        clock=utc_now,
    )


def provide_notification_hub(state: State) -> NotificationHub:
    hub: NotificationHub = state.notification_hub
    return hub


def provide_event_tickets(database: NamedDependency[Database]) -> EventTickets:
    return EventTickets(database)


DEPENDENCIES = {
    "database": Provide(provide_database, sync_to_thread=False),
    "auth": Provide(provide_auth, sync_to_thread=False),
    "accounts": Provide(provide_accounts, sync_to_thread=False),
    "user_admin": Provide(provide_user_admin, sync_to_thread=False),
    "bookings": Provide(provide_bookings, sync_to_thread=False),
    "payments": Provide(provide_payments, sync_to_thread=False),
    "booking_queries": Provide(provide_booking_queries, sync_to_thread=False),
    "booking_admin": Provide(provide_booking_admin, sync_to_thread=False),
    "catalogue": Provide(provide_catalogue, sync_to_thread=False),
    "caregivers": Provide(provide_caregivers, sync_to_thread=False),
    "contact": Provide(provide_contact, sync_to_thread=False),
    "outbox": Provide(provide_outbox, sync_to_thread=False),
    "notification_hub": Provide(provide_notification_hub, sync_to_thread=False),
    "event_tickets": Provide(provide_event_tickets, sync_to_thread=False),
    "statistics": Provide(provide_statistics, sync_to_thread=False),
    "service_admin": Provide(provide_service_admin, sync_to_thread=False),
}
