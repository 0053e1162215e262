from carevia.domain.series.models import Series, SeriesForm, WeeklyPattern
from carevia.domain.series.repository import INDEXES, SeriesRepository
from carevia.domain.series.service import ConflictingDates, SeriesPlan, SeriesService

__all__ = [
    "INDEXES",
    "ConflictingDates",
    "Series",
    "SeriesForm",
    "SeriesPlan",
    "SeriesRepository",
    "SeriesService",
    "WeeklyPattern",
]
