from carevia.domain.applications.models import (
    STATUS_LABELS,
    Application,
    ApplicationForm,
    DecisionForm,
)
from carevia.domain.applications.repository import INDEXES, ApplicationRepository
from carevia.domain.applications.service import ApplicationService

__all__ = [
    "INDEXES",
    "STATUS_LABELS",
    "Application",
    "ApplicationForm",
    "ApplicationRepository",
    "ApplicationService",
    "DecisionForm",
]
