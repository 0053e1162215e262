"""People a patient books care for, and the care needs kept private to those caring for them.

Only the models are exported here: the booking model imports them, so this package must not
import the booking context on load. Import the services from their modules.
"""

from carevia.domain.care.models import (
    RELATIONSHIPS,
    CareNeeds,
    CarePerson,
    EmergencyContact,
    PersonForm,
    Recipient,
    RecipientChoice,
)
from carevia.domain.care.repository import INDEXES

__all__ = [
    "INDEXES",
    "RELATIONSHIPS",
    "CareNeeds",
    "CarePerson",
    "EmergencyContact",
    "PersonForm",
    "Recipient",
    "RecipientChoice",
]
