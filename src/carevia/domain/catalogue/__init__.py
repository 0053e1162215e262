from carevia.domain.catalogue.models import (
    CATEGORY_LABELS,
    SERVICE_SORTS,
    Category,
    Service,
    ServiceFilter,
    ServiceSort,
)
from carevia.domain.catalogue.repository import ServiceRepository
from carevia.domain.catalogue.service import PAGE_SIZE, CatalogueService

__all__ = [
    "CATEGORY_LABELS",
    "PAGE_SIZE",
    "SERVICE_SORTS",
    "CatalogueService",
    "Category",
    "Service",
    "ServiceFilter",
    "ServiceRepository",
    "ServiceSort",
]
