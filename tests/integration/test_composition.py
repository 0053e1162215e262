"""The object graph is built once per process; requests are handed the same services."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.testing import AsyncTestClient

from carevia.composition.handed_out import each_with_what_it_names, request_dependencies
from carevia.domain.audit import AuditLog
from carevia.domain.bookings import BookingService
from carevia.domain.bookings.administration import BookingAdministration
from carevia.domain.bookings.notices import BookingNotices
from carevia.domain.payments.service import PaymentService
from carevia.settings import Settings
from tests.support.object_graph import instances_of


async def test_two_requests_are_handed_the_services_the_lifespan_built(
    app: Litestar, settings: Settings
) -> None:
    handed_out: list[tuple[object, object]] = []

    @get("/composition-probe", sync_to_thread=False)
    def probe(
        bookings: NamedDependency[BookingService],
        booking_admin: NamedDependency[BookingAdministration],
    ) -> None:
        handed_out.append((bookings, booking_admin))

    # Registered as the app registers its own handlers: given only what it names.
    (probe_route,) = each_with_what_it_names([probe], request_dependencies(settings))
    app.register(probe_route)
    async with AsyncTestClient(app) as client:
        for _ in range(2):
            assert (await client.get("/composition-probe")).status_code == 200
        services: Any = app.state.services

    assert handed_out[0][0] is handed_out[1][0] is services.bookings
    assert handed_out[0][1] is handed_out[1][1] is services.booking_admin


async def test_the_process_holds_one_instance_of_each_stateless_service(app: Litestar) -> None:
    async with AsyncTestClient(app):
        services = app.state.services

        assert len(instances_of(services, BookingService)) == 1
        assert len(instances_of(services, PaymentService)) == 1
        assert len(instances_of(services, BookingNotices)) == 1
        assert len(instances_of(services, AuditLog)) == 1
        (admin,) = instances_of(services, BookingAdministration)
        assert instances_of(admin, BookingService) == [services.bookings]
