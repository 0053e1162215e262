"""Providers that build domain services per request from the process-wide database."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.catalogue import CatalogueService, ServiceRepository
from carevia.domain.contact import ContactRepository, ContactService

Database = AsyncDatabase[dict[str, Any]]


def provide_database(state: State) -> Database:
    database: Database = state.database
    return database


def provide_catalogue(database: NamedDependency[Database]) -> CatalogueService:
    return CatalogueService(ServiceRepository(database))


def provide_contact(database: NamedDependency[Database]) -> ContactService:
    return ContactService(ContactRepository(database))


DEPENDENCIES = {
    "database": Provide(provide_database, sync_to_thread=False),
    "catalogue": Provide(provide_catalogue, sync_to_thread=False),
    "contact": Provide(provide_contact, sync_to_thread=False),
}
