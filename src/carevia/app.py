"""The application factory: routers, plugins, middleware, lifespan and error mapping."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from carevia.background import run_every
from carevia.controllers.account import AccountController
from carevia.controllers.api_auth import MeController, TokenController
from carevia.controllers.api_bookings import BookingApiController
from carevia.controllers.api_caregiver_self import OwnCaregiverApiController
from carevia.controllers.api_catalogue import CaregiverApiController, ServiceApiController
from carevia.controllers.api_stats import StatisticsApiController
from carevia.controllers.api_users import UserApiController
from carevia.controllers.auth import AuthController
from carevia.controllers.booking_form import BookingFormController
from carevia.controllers.bookings import BookingController
from carevia.controllers.caregivers import CaregiverController
from carevia.controllers.checkout import CheckoutController
from carevia.controllers.coverage import district_options
from carevia.controllers.dashboard import DashboardController
from carevia.controllers.dashboard_audit import DashboardAuditController
from carevia.controllers.dashboard_bookings import DashboardBookingController
from carevia.controllers.dashboard_overview import DashboardOverviewController
from carevia.controllers.dashboard_payments import DashboardPaymentController
from carevia.controllers.dashboard_profile import DashboardProfileController
from carevia.controllers.dashboard_services import DashboardServiceController
from carevia.controllers.dashboard_users import DashboardUserController
from carevia.controllers.dev_checkout import DevCheckoutController, provide_local_gateway
from carevia.controllers.dev_mailbox import DevMailboxController
from carevia.controllers.events import (
    EventTicketController,
    NotificationApiController,
    account_events,
    staff_events,
)
from carevia.controllers.health import healthz, readyz
from carevia.controllers.pages import PageController
from carevia.controllers.seo import robots, sitemap
from carevia.controllers.services import ServiceController
from carevia.controllers.theme import ThemeController
from carevia.controllers.webhooks import stripe_webhook
from carevia.db import connected_database
from carevia.dependencies import (
    DEPENDENCIES,
    booking_service_for,
    notices_for,
    payment_service_for,
)
from carevia.domain.auth import AccessTokenCodec
from carevia.domain.mail import MailRenderer, MailWorker, OutboxRepository, transport_for
from carevia.domain.notifications import NotificationRepository
from carevia.domain.notifications.hub import NotificationHub
from carevia.payments_runtime import payment_gateway, uses_local_gateway
from carevia.settings import Settings
from carevia.web.auth import AuthenticationMiddleware
from carevia.web.errors import EXCEPTION_HANDLERS
from carevia.web.security import add_security_headers, cross_site_guard
from carevia.web.templating import template_config

# Static files, health probes and the webhook identify no user.
UNAUTHENTICATED_PATHS = [
    r"^/static/",
    r"^/healthz$",
    r"^/readyz$",
    r"^/webhooks/stripe$",
    r"^/schema",
]


def create_app(settings: Settings) -> Litestar:
    settings.validate_for_start()
    mail_transport = transport_for(settings)

    @asynccontextmanager
    async def resources(app: Litestar) -> AsyncIterator[None]:
        async with (
            connected_database(settings) as database,
            payment_gateway(app, database, settings) as gateway,
        ):
            app.state.database = database
            app.state.payment_gateway = gateway
            app.state.notification_writers = asyncio.Lock()
            worker = MailWorker(OutboxRepository(database), mail_transport, settings.mail.sender)
            app.state.mail_worker = worker
            stop = asyncio.Event()
            bookings = booking_service_for(database, settings, notices_for(app.state, settings))
            payments = payment_service_for(app.state, settings)
            hub = NotificationHub(NotificationRepository(database), database)
            app.state.notification_hub = hub
            tasks = [
                asyncio.create_task(worker.run(stop), name="mail-worker"),
                asyncio.create_task(
                    run_every(30, bookings.expire_lapsed, stop, "expire-holds"), name="expire-holds"
                ),
                asyncio.create_task(
                    run_every(120, payments.reconcile, stop, "reconcile-payments"), name="reconcile"
                ),
                asyncio.create_task(hub.run(stop), name="notification-hub"),
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
        ServiceController,
        CaregiverController,
        AuthController,
        AccountController,
        DashboardController,
        DashboardProfileController,
        DashboardBookingController,
        DashboardOverviewController,
        DashboardServiceController,
        DashboardUserController,
        DashboardAuditController,
        DashboardPaymentController,
        BookingFormController,
        BookingController,
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
            path="/static", directories=[settings.static_dir], include_in_schema=False
        ),
    ]
    if not settings.is_production and not settings.mail.host:
        route_handlers.append(DevMailboxController)
    dependencies = {
        **DEPENDENCIES,
        "settings": Provide(lambda: settings, sync_to_thread=False, use_cache=True),
    }
    if uses_local_gateway(settings):
        route_handlers.append(DevCheckoutController)
        dependencies["local_gateway"] = Provide(provide_local_gateway, sync_to_thread=False)

    return Litestar(
        route_handlers=route_handlers,
        dependencies=dependencies,
        state=State(_initial_state(settings)),
        lifespan=[resources],
        middleware=[
            cross_site_guard(settings.public_base_url),
            DefineMiddleware(AuthenticationMiddleware, exclude=UNAUTHENTICATED_PATHS),
        ],
        before_send=[add_security_headers],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            # The webhook is verified by its signature; JSON routes by bearer token.
            exclude=[r"^/webhooks/stripe$", r"^/api/"],
        ),
        template_config=template_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(title="Carevia API", version="1", path="/schema"),
        logging_config=LoggingConfig(
            root={"level": "INFO", "handlers": ["queue_listener"]},
            log_exceptions="debug",
        ),
        debug=False,
    )


def _initial_state(settings: Settings) -> dict[str, Any]:
    return {
        "access_tokens": AccessTokenCodec(settings.secret_key, issuer=settings.public_base_url),
        "mail_renderer": MailRenderer(),
    }
