"""The application factory: routers, plugins, middleware, lifespan and error mapping."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from pymongo import monitoring

from carevia.background import run_every
from carevia.composition import build_services
from carevia.composition.handed_out import each_with_what_it_names, request_dependencies
from carevia.controllers.account import AccountController
from carevia.controllers.api_auth import MeController, TokenController
from carevia.controllers.api_bookings import BookingApiController
from carevia.controllers.api_caregiver_self import OwnCaregiverApiController
from carevia.controllers.api_catalogue import CaregiverApiController, ServiceApiController
from carevia.controllers.api_stats import StatisticsApiController
from carevia.controllers.api_users import UserApiController
from carevia.controllers.applications import ApplicationController
from carevia.controllers.auth import AuthController
from carevia.controllers.booking_form import BookingFormController
from carevia.controllers.bookings import BookingController
from carevia.controllers.care_people import CarePeopleController
from carevia.controllers.caregivers import CaregiverController
from carevia.controllers.checkout import CheckoutController
from carevia.controllers.coverage import district_options
from carevia.controllers.dashboard import DashboardController
from carevia.controllers.dashboard_applications import DashboardApplicationController
from carevia.controllers.dashboard_audit import DashboardAuditController
from carevia.controllers.dashboard_bookings import DashboardBookingController
from carevia.controllers.dashboard_overview import DashboardOverviewController
from carevia.controllers.dashboard_payments import DashboardPaymentController
from carevia.controllers.dashboard_photos import DashboardPhotoController
from carevia.controllers.dashboard_profile import DashboardProfileController
from carevia.controllers.dashboard_reviews import DashboardReviewController
from carevia.controllers.dashboard_services import DashboardServiceController
from carevia.controllers.dashboard_users import DashboardUserController
from carevia.controllers.dashboard_waitlist import DashboardWaitlistController
from carevia.controllers.events import (
    EventTicketController,
    NotificationApiController,
    account_events,
    staff_events,
)
from carevia.controllers.files import FileController
from carevia.controllers.google_sign_in import GoogleAccountController, GoogleSignInController
from carevia.controllers.health import healthz, readyz
from carevia.controllers.language import LanguageController
from carevia.controllers.messages import DashboardMessageController, MessageController
from carevia.controllers.pages import PageController
from carevia.controllers.rescheduling import ReschedulingController
from carevia.controllers.seo import robots, sitemap
from carevia.controllers.series import SeriesController
from carevia.controllers.services import ServiceController
from carevia.controllers.theme import ThemeController
from carevia.controllers.waitlist import WaitlistController
from carevia.controllers.webhooks import stripe_webhook
from carevia.db import connected_database
from carevia.devtools.checkout import DevCheckoutController
from carevia.devtools.mailbox import DevMailboxController
from carevia.devtools.openid_pages import DevOpenIDController
from carevia.domain.catalogue.changes import DataVersions
from carevia.domain.mail import transport_for
from carevia.domain.shared.clock import utc_now
from carevia.embedded_db import EmbeddedDatabase
from carevia.openid_runtime import openid_client
from carevia.payments_runtime import payment_gateway, uses_local_gateway
from carevia.settings import Settings
from carevia.web.auth import AuthenticationMiddleware
from carevia.web.caching import no_store_when_personal
from carevia.web.dashboard_badges import note_dashboard_badges
from carevia.web.database_deadline import database_deadline
from carevia.web.errors import EXCEPTION_HANDLERS
from carevia.web.i18n import choose_language
from carevia.web.openapi import ClosedStructSchemaPlugin
from carevia.web.page_cache import PageCache, cached_pages
from carevia.web.requests import CareviaRequest
from carevia.web.security import add_security_headers, ascii_csrf_tokens, cross_site_guard
from carevia.web.templating import template_config

# Static files, health probes and the schema identify no user and carry no form, so they
# need neither the session lookup nor a CSRF token (and its cookie) made for every answer;
# the webhook says so itself.
NO_USER = {"exclude_from_auth": True, "exclude_from_csrf": True}


def create_app(
    settings: Settings,
    *,
    database_process: EmbeddedDatabase | None = None,
    command_listeners: Sequence[monitoring.CommandListener] = (),
) -> Litestar:
    """`database_process` is the embedded database `carevia serve` started, if it did;
    `command_listeners` are told of every database command (monitoring)."""
    settings.validate_for_start()
    mail_transport = transport_for(settings)
    data_versions = DataVersions(settings.database.name)
    page_cache = PageCache(data_versions, utc_now)

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        async with (
            connected_database(settings, [data_versions, *command_listeners]) as database,
            payment_gateway(app, database, settings) as gateway,
            openid_client(app, settings) as openid,
        ):
            services = build_services(settings, database, gateway, mail_transport, openid)
            app.state.services = services
            app.state.page_cache = page_cache
            assert services.mail_worker is not None, "built with a transport"
            stop = asyncio.Event()
            expire_holds = services.bookings.expire_lapsed

            async def holds_and_waitlist() -> None:
                # Lapsed holds free time first; the sweep then offers it to whoever waits.
                await expire_holds()
                await services.waitlist.sweep()

            tasks = [
                asyncio.create_task(services.mail_worker.run(stop), name="mail-worker"),
                asyncio.create_task(
                    run_every(5, holds_and_waitlist, stop, "expire-holds"), name="expire-holds"
                ),
                asyncio.create_task(
                    run_every(120, services.payments.reconcile, stop, "reconcile-payments"),
                    name="reconcile",
                ),
                asyncio.create_task(services.notification_hub.run(stop), name="notification-hub"),
                asyncio.create_task(data_versions.follow(database, stop), name="page-versions"),
                asyncio.create_task(
                    run_every(60, services.messages.send_waiting_mail, stop, "message-mail"),
                    name="message-mail",
                ),
                asyncio.create_task(
                    run_every(300, services.series_links.send_due, stop, "series-links"),
                    name="series-links",
                ),
                asyncio.create_task(
                    run_every(60, services.agendas.send_due, stop, "caregiver-agendas"),
                    name="caregiver-agendas",
                ),
            ]
            try:
                yield
            finally:
                stop.set()
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)

    route_handlers: list[Any] = [
        PageController,
        ThemeController,
        LanguageController,
        ServiceController,
        CaregiverController,
        FileController,
        AuthController,
        GoogleSignInController,
        GoogleAccountController,
        AccountController,
        CarePeopleController,
        DashboardController,
        DashboardProfileController,
        DashboardReviewController,
        DashboardWaitlistController,
        DashboardBookingController,
        DashboardOverviewController,
        DashboardServiceController,
        DashboardUserController,
        DashboardPhotoController,
        DashboardApplicationController,
        ApplicationController,
        DashboardAuditController,
        DashboardPaymentController,
        DashboardMessageController,
        MessageController,
        BookingFormController,
        SeriesController,
        WaitlistController,
        BookingController,
        ReschedulingController,
        CheckoutController,
        stripe_webhook,
        TokenController,
        MeController,
        UserApiController,
        ServiceApiController,
        CaregiverApiController,
        OwnCaregiverApiController,
        BookingApiController,
        EventTicketController,
        NotificationApiController,
        staff_events,
        account_events,
        StatisticsApiController,
        district_options,
        healthz,
        readyz,
        sitemap,
        robots,
        create_static_files_router(
            path="/static",
            directories=[settings.static_dir],
            include_in_schema=False,
            opt=NO_USER,
        ),
    ]
    if not settings.is_production and not settings.mail.host:
        route_handlers.append(DevMailboxController)
    if uses_local_gateway(settings):
        route_handlers.append(DevCheckoutController)
    if settings.uses_local_openid_provider:
        route_handlers.append(DevOpenIDController)

    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        # Pages carry the token in `hx-headers` and forms; no script reads the cookie.
        cookie_httponly=True,
        # JSON routes are checked by bearer token; a handler may opt out with
        # `exclude_from_csrf`, which the cross-site guard honours too.
        exclude=[r"^/api/"],
    )
    dependencies = {
        **request_dependencies(settings),
        "database_process": Provide(lambda: database_process, sync_to_thread=False, use_cache=True),
    }
    app = Litestar(
        route_handlers=each_with_what_it_names(route_handlers, dependencies),
        lifespan=[resources],
        middleware=[
            cached_pages(page_cache, csrf_config),
            database_deadline(settings.database.timeout_ms),
            cross_site_guard(settings.public_base_url),
            DefineMiddleware(AuthenticationMiddleware),
            ascii_csrf_tokens(csrf_config),
        ],
        before_send=[add_security_headers, no_store_when_personal],
        before_request=note_dashboard_badges,
        csrf_config=csrf_config,
        template_config=template_config(settings),
        plugins=[HTMXPlugin(), ClosedStructSchemaPlugin()],
        request_class=CareviaRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Carevia API",
            version="1",
            openapi_router=Router(
                "/schema", route_handlers=[], opt=NO_USER, include_in_schema=False
            ),
        ),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )
    # Around everything, the error pages of unknown addresses included: route middleware only
    # runs for a matched route, and a 404 page is read in the visitor's language too.
    app.asgi_handler = choose_language()(app.asgi_handler)
    return app
