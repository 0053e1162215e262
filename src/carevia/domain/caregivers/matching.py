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
from carevia.domain.catalogue.known_names import known_names
from carevia.domain.coverage import place_name
from carevia.domain.shared.language import digits
from carevia.domain.shared.text import Text

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
TIMES = {1: Text("once"), 2: Text("twice")}


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
        """The reasons as one line, in the reader's language wherever it is shown."""
        said: str = ""
        for reason in self.reasons:
            said = Text("%(said)s · %(reason)s", said=said, reason=reason) if said else reason
        return said


def _said(words: Sequence[str]) -> str:
    """ "Bangla", "Bangla and English", "Bangla, English and Hindi"."""
    if len(words) <= 1:
        return words[0] if words else ""
    if len(words) == 2:
        return Text("%(first)s and %(last)s", first=words[0], last=words[1])
    return Text("%(first)s, %(rest)s", first=words[0], rest=_said(words[1:]))


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
    times = TIMES.get(past.visits) or Text("%(count)d times", count=past.visits)
    average = past.average_stars
    if average is None:
        return Text("Cared for %(person)s %(times)s", person=person, times=times)
    return Text(
        "Cared for %(person)s %(times)s, rated %(stars)s★",
        person=person,
        times=times,
        stars=digits(f"{round(average, 1):g}"),
    )


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
        reasons.append(Text("Speaks %(languages)s", languages=_said(known_names(shared))))
    if past is not None and past.visits:
        reasons.append(_continuity_reason(past, request.person))
    if rating.count:
        reasons.append(
            Text.plural(
                "Rated %(stars)s★ in %(num)d review",
                "Rated %(stars)s★ in %(num)d reviews",
                rating.count,
                stars=digits(f"{rating.average:.1f}"),
            )
        )
    if caregiver.years_experience:
        reasons.append(
            Text.plural(
                "%(num)d year of experience",
                "%(num)d years of experience",
                caregiver.years_experience,
            )
        )
    if serves:
        reasons.append(Text("Works in %(division)s", division=place_name(request.division)))
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
