from carevia.domain.waitlist.models import ENTRY_LABELS, EntryStatus, WaitlistEntry, WaitlistForm
from carevia.domain.waitlist.offers import OFFER_EVENT, OFFER_MINUTES, WaitlistOffers
from carevia.domain.waitlist.repository import INDEXES, WaitlistRepository
from carevia.domain.waitlist.service import Waitlist
from carevia.domain.waitlist.signals import FreedTime

__all__ = [
    "ENTRY_LABELS",
    "INDEXES",
    "OFFER_EVENT",
    "OFFER_MINUTES",
    "EntryStatus",
    "FreedTime",
    "Waitlist",
    "WaitlistEntry",
    "WaitlistForm",
    "WaitlistOffers",
    "WaitlistRepository",
]
