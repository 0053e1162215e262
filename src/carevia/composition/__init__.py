"""The composition root: the whole object graph of one app process, and its request providers.

Every service holds only the database handle, settings and other services, so the lifespan
builds the graph once, after the database connects, and keeps it on `app.state.services`.
A request provider only hands out what is already built; nothing is constructed per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from carevia.controllers.dashboard_users import PeopleDesk
from carevia.db import Database
from carevia.domain.accounts import (
    AccountService,
    AccountTokenRepository,
    UserAdministration,
    UserRepository,
)
from carevia.domain.accounts.reset_throttle import ResetThrottle
from carevia.domain.applications import ApplicationRepository, ApplicationService
from carevia.domain.audit import AuditLog
from carevia.domain.audit.read_models import AuditQueries
from carevia.domain.auth import AccessTokenCodec, RefreshTokenRepository, RefreshTokenService
from carevia.domain.auth.devices import DeviceCookies
from carevia.domain.auth.google import GoogleSignIn
from carevia.domain.auth.openid import OpenIDClient
from carevia.domain.auth.openid_attempts import OpenIDAttemptRepository
from carevia.domain.auth.service import AuthService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.auth.throttle import LoginThrottle
from carevia.domain.bookings import BookingRepository, BookingService
from carevia.domain.bookings.administration import BookingAdministration
from carevia.domain.bookings.free_time import FreeTimes
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.bookings.read_models import BookingQueries
from carevia.domain.bookings.rescheduling import Rescheduling
from carevia.domain.bookings.transitions import BookingTransitions
from carevia.domain.care.access import CareNeedsAccess
from carevia.domain.care.repository import CarePeopleRepository
from carevia.domain.care.service import CarePeople
from carevia.domain.caregivers import CaregiverDirectory, CaregiverRepository
from carevia.domain.caregivers.listings import CaregiverListings
from carevia.domain.caregivers.verification import CaregiverVerification
from carevia.domain.catalogue import CatalogueService, ServiceRepository
from carevia.domain.catalogue.admin_repository import ServiceAdminRepository
from carevia.domain.catalogue.administration import ServiceAdministration
from carevia.domain.contact import ContactRepository, ContactService
from carevia.domain.files import CaregiverPhotos, FileRepository, FileService
from carevia.domain.mail import Mailer, MailRenderer, MailWorker, OutboxRepository
from carevia.domain.mail.transport import MailTransport
from carevia.domain.messages import MessageRepository, MessageService
from carevia.domain.notifications import NotificationRepository
from carevia.domain.notifications.hub import NotificationHub
from carevia.domain.notifications.tickets import EventTickets
from carevia.domain.payments.gateway import PaymentGateway
from carevia.domain.payments.read_models import PaymentQueries
from carevia.domain.payments.refunds import RefundQueue
from carevia.domain.payments.repository import PaymentRepository
from carevia.domain.payments.series_checkout import SeriesCheckout
from carevia.domain.payments.service import PaymentService
from carevia.domain.payments.settlement import Settlement
from carevia.domain.privacy import PersonalData
from carevia.domain.reminders import CaregiverAgendas, VisitReminders
from carevia.domain.reviews import ReviewRepository, ReviewService
from carevia.domain.reviews.care_history import CareHistoryReader
from carevia.domain.series import SeriesRepository, SeriesService
from carevia.domain.series.weekly_links import WeeklyPaymentLinks
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.stats import StatisticsRepository, StatisticsService
from carevia.domain.waitlist import FreedTime, Waitlist, WaitlistRepository
from carevia.settings import Settings
from carevia.web.mail_words import CatalogueWords


@dataclass(frozen=True, kw_only=True)
class Services:
    """One instance of each service for the life of the process."""

    database: Database
    gateway: PaymentGateway
    mail_worker: MailWorker | None
    notification_hub: NotificationHub
    notifications: NotificationRepository
    event_tickets: EventTickets
    outbox: OutboxRepository
    auth: AuthService
    google_sign_in: GoogleSignIn | None
    accounts: AccountService
    user_admin: UserAdministration
    bookings: BookingService
    payments: PaymentService
    booking_admin: BookingAdministration
    booking_queries: BookingQueries
    payment_queries: PaymentQueries
    audit_queries: AuditQueries
    catalogue: CatalogueService
    service_admin: ServiceAdministration
    caregivers: CaregiverDirectory
    caregiver_listings: CaregiverListings
    caregiver_verification: CaregiverVerification
    people_desk: PeopleDesk
    contact: ContactService
    statistics: StatisticsService
    personal_data: PersonalData
    files: FileService
    caregiver_photos: CaregiverPhotos
    reviews: ReviewService
    applications: ApplicationService
    messages: MessageService
    care_people: CarePeople
    care_needs: CareNeedsAccess
    series: SeriesService
    series_links: WeeklyPaymentLinks
    agendas: CaregiverAgendas
    rescheduling: Rescheduling
    waitlist: Waitlist


def build_services(
    settings: Settings,
    database: Database,
    gateway: PaymentGateway,
    mail_transport: MailTransport | None = None,
    openid: OpenIDClient | None = None,
) -> Services:
    """The whole graph; without a mail transport there is no worker and mail waits in the outbox.

    Without an OpenID client (no Google keys, in production) there is no Google sign-in.
    """
    users = UserRepository(database)
    sessions = SessionRepository(database)
    refresh_tokens = RefreshTokenService(RefreshTokenRepository(database))
    bookings_store = BookingRepository(database)
    payments_store = PaymentRepository(database)
    audit = AuditLog(database)
    outbox = OutboxRepository(database)
    worker = MailWorker(outbox, mail_transport, settings.mail.sender) if mail_transport else None
    mailer = Mailer(
        outbox,
        MailRenderer(words=CatalogueWords()),
        worker.wake if worker else None,
        languages=users,
    )
    notifications = NotificationRepository(database)
    notices = BookingNotices(
        mailer,
        notifications,
        settings.public_base_url,
        utc_now,
        users=users,
    )
    reminders = VisitReminders(mailer, settings.public_base_url, utc_now)
    waitlist_entries = WaitlistRepository(database)
    freed_time = FreedTime(waitlist_entries, utc_now)
    # Told of every status change (and, by `visit_moved`, of every move): reminders follow the
    # visit, freed time reaches the waitlist.
    listeners = [reminders.status_changed, freed_time.status_changed]
    # The one path every booking status change takes; payments and administration share it.
    transitions = BookingTransitions(
        database, bookings_store, audit, notices, utc_now, listeners=listeners
    )
    care_people = CarePeople(CarePeopleRepository(database))
    bookings = booking_service_for(database, settings, notices, audit, transitions, care_people)
    settlement = Settlement(
        database, bookings_store, payments_store, transitions, notices, audit, utc_now
    )
    series_checkout = SeriesCheckout(
        gateway, payments_store, settlement, base_url=settings.public_base_url, clock=utc_now
    )
    payments = PaymentService(
        gateway=gateway,
        bookings=bookings,
        booking_records=bookings_store,
        payments=payments_store,
        settlement=settlement,
        refunds=RefundQueue(gateway, payments_store, settlement, utc_now),
        audit=audit,
        webhook_secret=settings.stripe.webhook_secret,
        base_url=settings.public_base_url,
        clock=utc_now,
        series=series_checkout,
    )
    series_store = SeriesRepository(database)
    booking_queries = BookingQueries(database, settings.timezone)
    notification_hub = NotificationHub(notifications)
    user_admin = UserAdministration(
        users=users,
        sessions=sessions,
        refresh_tokens=refresh_tokens,
        audit=audit,
        close_streams=notification_hub.close_streams_of,
    )
    caregiver_verification = CaregiverVerification(database, audit)
    account_tokens = AccountTokenRepository(database)
    contact_messages = ContactRepository(database)
    files = FileService(FileRepository(database), audit)
    personal_data = PersonalData(
        users=users,
        tokens=account_tokens,
        sessions=sessions,
        refresh_tokens=refresh_tokens,
        bookings=bookings_store,
        payments=payments_store,
        notifications=notifications,
        outbox=outbox,
        contact=contact_messages,
        reviews=ReviewRepository(database),
        applications=ApplicationRepository(database),
        messages=MessageRepository(database),
        discard_file=files.discard,
        care_people=care_people,
        audit=audit,
        cancel_booking=payments.cancel,
        close_streams=notification_hub.close_streams_of,
        waitlist=waitlist_entries,
    )
    auth = AuthService(
        users=users,
        sessions=sessions,
        throttle=LoginThrottle(database),
        access_tokens=AccessTokenCodec(settings.secret_key, issuer=settings.public_base_url),
        refresh_tokens=refresh_tokens,
        devices=DeviceCookies(settings.secret_key),
        audit=audit,
    )
    return Services(
        database=database,
        gateway=gateway,
        mail_worker=worker,
        notification_hub=notification_hub,
        notifications=notifications,
        event_tickets=EventTickets(database, settings.secret_key),
        outbox=outbox,
        auth=auth,
        google_sign_in=None
        if openid is None
        else GoogleSignIn(openid, OpenIDAttemptRepository(database), users, auth, audit),
        accounts=AccountService(
            users=users,
            tokens=account_tokens,
            sessions=sessions,
            mailer=mailer,
            audit=audit,
            reset_throttle=ResetThrottle(database),
            base_url=settings.public_base_url,
        ),
        user_admin=user_admin,
        bookings=bookings,
        payments=payments,
        booking_admin=BookingAdministration(
            bookings=bookings,
            records=bookings_store,
            queries=booking_queries,
            caregivers=CaregiverRepository(database),
            payments=payments,
            payment_records=payments_store,
            notices=notices,
            transitions=transitions,
            audit=audit,
            database=database,
            clock=utc_now,
        ),
        booking_queries=booking_queries,
        payment_queries=PaymentQueries(database, settings.timezone),
        audit_queries=AuditQueries(database, settings.timezone),
        catalogue=CatalogueService(ServiceRepository(database)),
        service_admin=ServiceAdministration(
            ServiceAdminRepository(database), audit, settings.currency, files
        ),
        caregivers=CaregiverDirectory(CaregiverRepository(database), audit),
        caregiver_listings=CaregiverListings(
            CaregiverRepository(database),
            users,
            FreeTimes(bookings_store, settings.timezone, settings.booking.min_notice_hours),
            settings.timezone,
            settings.booking.max_days_ahead,
        ),
        caregiver_verification=caregiver_verification,
        people_desk=PeopleDesk(user_admin, caregiver_verification, settings.timezone),
        contact=ContactService(contact_messages),
        statistics=StatisticsService(
            StatisticsRepository(database),
            timezone=settings.timezone,
            currency=settings.currency,
            clock=utc_now,
        ),
        personal_data=personal_data,
        files=files,
        caregiver_photos=CaregiverPhotos(files, CaregiverRepository(database), audit),
        reviews=review_service_for(database, audit, notices=notices),
        applications=ApplicationService(
            database=database,
            applications=ApplicationRepository(database),
            users=users,
            caregivers=CaregiverRepository(database),
            sessions=sessions,
            refresh_tokens=refresh_tokens,
            files=files,
            mailer=mailer,
            audit=audit,
            base_url=settings.public_base_url,
        ),
        messages=MessageService(
            database=database,
            messages=MessageRepository(database),
            bookings=bookings_store,
            users=users,
            notifications=notifications,
            mailer=mailer,
            base_url=settings.public_base_url,
            clock=utc_now,
        ),
        care_people=care_people,
        care_needs=CareNeedsAccess(audit),
        series=SeriesService(
            series_store,
            bookings,
            bookings_store,
            audit,
            settings.booking,
            settings.timezone,
            payments.cancel,
            series_checkout,
        ),
        series_links=WeeklyPaymentLinks(
            series_store, mailer, settings.public_base_url, settings.timezone
        ),
        agendas=CaregiverAgendas(
            database,
            mailer,
            bookings_store,
            users,
            settings.public_base_url,
            settings.timezone,
            utc_now,
        ),
        # `after_move`: what must follow a moved visit in its transaction (reminders, waitlist).
        rescheduling=Rescheduling(
            database,
            bookings_store,
            CaregiverRepository(database),
            users,
            audit,
            notices,
            settings.booking,
            settings.timezone,
            utc_now,
            after_move=(reminders.visit_moved, freed_time.visit_moved),
        ),
        waitlist=Waitlist(
            database, waitlist_entries, bookings, bookings_store, users, notices, settings
        ),
    )


def booking_service_for(
    database: Database,
    settings: Settings,
    notices: BookingNotices | None = None,
    audit: AuditLog | None = None,
    transitions: BookingTransitions | None = None,
    people: CarePeople | None = None,
) -> BookingService:
    """The booking service; without `notices` it changes bookings without telling anyone."""
    audit = audit or AuditLog(database)
    if transitions is None:
        transitions = BookingTransitions(
            database, BookingRepository(database), audit, notices, utc_now
        )
    return BookingService(
        bookings=BookingRepository(database),
        services=ServiceRepository(database),
        caregivers=CaregiverRepository(database),
        users=UserRepository(database),
        audit=audit,
        rules=settings.booking,
        timezone=settings.timezone,
        transitions=transitions,
        clock=utc_now,
        people=people,
        history=CareHistoryReader(BookingRepository(database), ReviewRepository(database)),
    )


def review_service_for(
    database: Database,
    audit: AuditLog | None = None,
    clock: Clock = utc_now,
    *,
    notices: BookingNotices | None = None,
) -> ReviewService:
    """Reviews and the rating summaries they write; the seed and the rebuild command use it too."""
    return ReviewService(
        database=database,
        reviews=ReviewRepository(database),
        bookings=BookingRepository(database),
        caregivers=CaregiverRepository(database),
        services=ServiceRepository(database),
        audit=audit or AuditLog(database),
        clock=clock,
        notices=notices,
    )
