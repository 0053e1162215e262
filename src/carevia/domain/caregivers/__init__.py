from carevia.domain.caregivers.models import (
    WEEKDAYS,
    Caregiver,
    ScheduleRow,
    TimeWindow,
    VerificationChecks,
    WeeklyAvailability,
)
from carevia.domain.caregivers.repository import INDEXES, CaregiverRepository
from carevia.domain.caregivers.service import CaregiverDirectory

__all__ = [
    "INDEXES",
    "WEEKDAYS",
    "Caregiver",
    "CaregiverDirectory",
    "CaregiverRepository",
    "ScheduleRow",
    "TimeWindow",
    "VerificationChecks",
    "WeeklyAvailability",
]
