"""How well a caregiver fits a request, as a score and the reasons a family can read.

The score is a sum of points, at most 100, from six parts:

    part                    points  how
    service fit             0-20    the service's minimum experience (8), its certifications
                                    (6, shared out over them) and its languages (6, likewise)
    division served         15      the caregiver works in the visit's division
    shared languages        0-10    5 for each language the family and caregiver share
    rating                  0-20    the average of real reviews pulled towards 3 stars as if
                                    by 3 extra reviews, so a count of 1 weighs little; then
                                    scaled from 1-5 stars onto 0-20 (no reviews: 10)
    experience              0-10    one a year, up to ten years
    continuity of care      0-25    has cared for this person before: 25 with a good review
                                    (4 stars or more), 12 with no review yet, 0 after a poor one

Continuity is worth more than any small rating difference: half a star of average is at most
2.5 points, while having cared for the person before with a good review is 25. A good
history with the person outranks a slightly better-rated stranger, as families expect.

Equal scores are ordered by more reviews, then more experience, then name, then id, so the
same caregivers always come in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
from bson import ObjectId

from carevia.domain.caregivers.models import Caregiver

SERVICE_FIT_POINTS = 20
EXPERIENCE_FIT_POINTS = 8
CERTIFICATE_FIT_POINTS = 6
LANGUAGE_FIT_POINTS = 6
DIVISION_POINTS = 15
SHARED_LANGUAGE_POINTS = 5
SHARED_LANGUAGE_MAX = 10
RATING_POINTS = 20
RATING_PRIOR_STARS = 3.0
RATING_PRIOR_COUNT = 3
EXPERIENCE_MAX_YEARS = 10
CONTINUITY_GOOD = 25
CONTINUITY_UNREVIEWED = 12
GOOD_REVIEW_STARS = 4
MAX_SCORE = (
    SERVICE_FIT_POINTS
    + DIVISION_POINTS
    + SHARED_LANGUAGE_MAX
    + RATING_POINTS
    + EXPERIENCE_MAX_YEARS
    + CONTINUITY_GOOD
)
TIMES = {1: "once", 2: "twice"}


class MatchRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the family asks for: the service's needs, where, and the languages they speak."""

    division: str
    languages: tuple[str, ...]
    min_experience: int = 0
    certifications: tuple[str, ...] = ()
    # Whom the care is for, as the reasons say it: "you", "your mother", "Rahima".
    person: str = "you"


class PastCare(msgspec.Struct, frozen=True, kw_only=True):
    """The caregiver's completed visits with this person, and the stars the family gave."""

    visits: int
    stars: tuple[int, ...] = ()

    @property
    def average_stars(self) -> float | None:
        return sum(self.stars) / len(self.stars) if self.stars else None


class Match(msgspec.Struct, frozen=True, kw_only=True):
    caregiver_id: ObjectId
    score: float
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


def _said(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _share(wanted: Sequence[str], offered: Sequence[str]) -> float:
    """The part of `wanted` that `offered` covers; all of it when nothing is wanted."""
    if not wanted:
        return 1.0
    have = {item.casefold() for item in offered}
    return sum(1 for item in wanted if item.casefold() in have) / len(wanted)


def _service_fit(caregiver: Caregiver, request: MatchRequest) -> float:
    experienced = caregiver.years_experience >= request.min_experience
    return (
        EXPERIENCE_FIT_POINTS * experienced
        + CERTIFICATE_FIT_POINTS * _share(request.certifications, caregiver.certifications)
        + LANGUAGE_FIT_POINTS * _share(request.languages, caregiver.languages)
    )


def adjusted_rating(average: float, count: int) -> float:
    """The average pulled towards 3 stars; the more reviews, the less it is pulled."""
    return (average * count + RATING_PRIOR_STARS * RATING_PRIOR_COUNT) / (
        count + RATING_PRIOR_COUNT
    )


def _continuity(past: PastCare | None) -> float:
    if past is None or past.visits == 0:
        return 0
    average = past.average_stars
    if average is None:
        return CONTINUITY_UNREVIEWED
    return CONTINUITY_GOOD if average >= GOOD_REVIEW_STARS else 0


def _continuity_reason(past: PastCare, person: str) -> str:
    times = TIMES.get(past.visits, f"{past.visits} times")
    said = f"Cared for {person} {times}"
    average = past.average_stars
    if average is not None:
        said += f", rated {round(average, 1):g}★"
    return said


def score(caregiver: Caregiver, request: MatchRequest, past: PastCare | None = None) -> Match:
    """The caregiver's points for the request, with the reasons in plain words."""
    languages = {language.casefold() for language in request.languages}
    shared = [language for language in caregiver.languages if language.casefold() in languages]
    serves = request.division in caregiver.divisions
    rating = caregiver.rating
    points = (
        _service_fit(caregiver, request)
        + DIVISION_POINTS * serves
        + min(SHARED_LANGUAGE_POINTS * len(shared), SHARED_LANGUAGE_MAX)
        + RATING_POINTS * (adjusted_rating(rating.average, rating.count) - 1) / 4
        + min(caregiver.years_experience, EXPERIENCE_MAX_YEARS)
        + _continuity(past)
    )
    reasons: list[str] = []
    if shared:
        reasons.append(f"Speaks {_said(shared)}")
    if past is not None and past.visits:
        reasons.append(_continuity_reason(past, request.person))
    if rating.count:
        plural = "s" if rating.count != 1 else ""
        reasons.append(f"Rated {rating.average:.1f}★ in {rating.count} review{plural}")
    if caregiver.years_experience:
        plural = "s" if caregiver.years_experience != 1 else ""
        reasons.append(f"{caregiver.years_experience} year{plural} of experience")
    if serves:
        reasons.append(f"Works in {request.division}")
    return Match(caregiver_id=caregiver.id, score=round(points, 2), reasons=tuple(reasons))


def rank(
    caregivers: Sequence[Caregiver],
    request: MatchRequest,
    past: Mapping[ObjectId, PastCare] | None = None,
) -> list[tuple[Caregiver, Match]]:
    """The caregivers best first, each with its match; ties broken the same way every time."""
    history = past or {}
    scored = [(c, score(c, request, history.get(c.id))) for c in caregivers]
    return sorted(
        scored,
        key=lambda pair: (
            -pair[1].score,
            -pair[0].rating.count,
            -pair[0].years_experience,
            pair[0].display_name.casefold(),
            str(pair[0].id),
        ),
    )
