"""How request handlers reach the services built by `build_services`, by name."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Controller, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

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


def each_with_what_it_names(
    route_handlers: Iterable[Any], dependencies: Mapping[str, Provide]
) -> list[Any]:
    """Each controller and handler, given only the dependencies its handlers name.

    Litestar resolves every provider in a handler's scope and checks each against all the
    others, for every handler: app-wide, 35 providers over 340 handlers cost about a fifth of
    the app's start-up. A handler that names one not provided still fails at start-up.
    """
    scoped: list[Any] = []
    for owner in route_handlers:
        handlers: list[BaseRouteHandler]
        if isinstance(owner, BaseRouteHandler):
            handlers = [owner]
        elif isinstance(owner, type) and issubclass(owner, Controller):
            # Through the class's bases too, as Litestar collects them.
            members = (getattr(owner, name) for name in dir(owner))
            handlers = [h for h in members if isinstance(h, BaseRouteHandler)]
        else:  # a router of its own (static files): it asks for nothing by name
            scoped.append(owner)
            continue
        named = {p for h in handlers for p in inspect.signature(h.fn).parameters}
        wanted = {name: dependencies[name] for name in named if name in dependencies}
        if isinstance(owner, BaseRouteHandler):
            scoped.append(Router(path="/", route_handlers=[owner], dependencies=wanted))
        else:  # the same controller, declaring its own; a router around it would copy it twice
            scoped.append(type(owner.__name__, (owner,), {"dependencies": wanted}))
    return scoped
