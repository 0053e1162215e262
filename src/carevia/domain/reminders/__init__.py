from carevia.domain.reminders.agendas import CaregiverAgendas
from carevia.domain.reminders.schedule import (
    AGENDA_AT,
    PATIENT_REMINDERS,
    agenda_due,
    reminder_times,
    visit_day,
)
from carevia.domain.reminders.service import VisitReminders

__all__ = [
    "AGENDA_AT",
    "PATIENT_REMINDERS",
    "CaregiverAgendas",
    "VisitReminders",
    "agenda_due",
    "reminder_times",
    "visit_day",
]
