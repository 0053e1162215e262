"""How request handlers reach the services built by `build_services`, by name."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

from carevia.devtools.local_gateway import LocalGateway
from carevia.devtools.openid_provider import LocalOpenIDProvider
from carevia.payments_runtime import uses_local_gateway
from carevia.settings import Settings

# What handlers may ask for by name; each is a field of `Services`.
PROVIDED = (
    "database",
    "notification_hub",
    "notifications",
    "event_tickets",
    "outbox",
    "auth",
    "google_sign_in",
    "accounts",
    "user_admin",
    "bookings",
    "payments",
    "booking_admin",
    "booking_queries",
    "payment_queries",
    "audit_queries",
    "catalogue",
    "service_admin",
    "caregivers",
    "caregiver_listings",
    "caregiver_verification",
    "people_desk",
    "contact",
    "statistics",
    "personal_data",
    "files",
    "caregiver_photos",
    "reviews",
    "applications",
    "messages",
    "care_people",
    "care_needs",
    "series",
    "rescheduling",
    "waitlist",
)


def _handed_out(name: str) -> Provide:
    def provide(state: State) -> Any:
        return getattr(state.services, name)

    return Provide(provide, sync_to_thread=False)


def provide_local_gateway(state: State) -> LocalGateway:
    gateway = state.services.gateway
    assert isinstance(gateway, LocalGateway), "mounted only with the local gateway"
    return gateway


def provide_local_openid_provider(state: State) -> LocalOpenIDProvider:
    provider: LocalOpenIDProvider = state.local_openid_provider
    return provider


def request_dependencies(settings: Settings) -> dict[str, Provide]:
    dependencies = {name: _handed_out(name) for name in PROVIDED}
    dependencies["settings"] = Provide(lambda: settings, sync_to_thread=False, use_cache=True)
    if uses_local_gateway(settings):
        dependencies["local_gateway"] = Provide(provide_local_gateway, sync_to_thread=False)
    if settings.uses_local_openid_provider:
        dependencies["local_openid_provider"] = Provide(
            provide_local_openid_provider, sync_to_thread=False
        )
    return dependencies
