"""The caregiver match score: its order, its reasons and the weights its docstring states."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from carevia.domain.caregivers import Caregiver
from carevia.domain.caregivers.matching import (
    CONTINUITY_GOOD,
    MAX_SCORE,
    RATING_POINTS,
    Match,
    MatchRequest,
    PastCare,
    rank,
    score,
)
from carevia.domain.catalogue.models import Category, RatingSummary

AT = datetime(2026, 12, 1, tzinfo=UTC)
FAMILY = MatchRequest(
    division="Dhaka",
    languages=("Bangla", "English"),
    min_experience=3,
    certifications=("First aid",),
    person="your mother",
)


def caregiver(
    name: str,
    *,
    stars: float = 0.0,
    reviews: int = 0,
    years: int = 5,
    languages: tuple[str, ...] = ("Bangla",),
    divisions: tuple[str, ...] = ("Dhaka",),
    certifications: tuple[str, ...] = ("First aid",),
    id_: ObjectId | None = None,
) -> Caregiver:
    return Caregiver(
        id=id_ or ObjectId(),
        display_name=name,
        bio="Calm and careful.",
        categories=[Category.ELDERLY_CARE],
        divisions=list(divisions),
        languages=list(languages),
        years_experience=years,
        certifications=list(certifications),
        verified=True,
        rating=RatingSummary(average=stars, count=reviews),
        created_at=AT,
        updated_at=AT,
    )


def test_the_order_and_its_reasons_are_the_same_whatever_order_the_caregivers_come_in() -> None:
    shirin = caregiver("Shirin Akhter", stars=4.8, reviews=12, languages=("Bangla", "English"))
    nasrin = caregiver("Nasrin Begum", stars=4.8, reviews=12, languages=("Bangla",))
    rahim = caregiver("Rahim Uddin", stars=4.2, reviews=3, years=1, divisions=("Sylhet",))
    # Two caregivers alike in every way are told apart by name, then id.
    twin_a = caregiver("Tania Islam", id_=ObjectId("000000000000000000000001"))
    twin_b = caregiver("Tania Islam", id_=ObjectId("000000000000000000000002"))
    everyone = [rahim, twin_b, nasrin, shirin, twin_a]
    past = {nasrin.id: PastCare(visits=2, stars=(5, 5))}

    orders = set()
    for seed in range(5):
        shuffled = everyone[:]
        random.Random(seed).shuffle(shuffled)
        orders.add(tuple(c.display_name + str(c.id) for c, _ in rank(shuffled, FAMILY, past)))
    assert len(orders) == 1

    ranked = rank(everyone, FAMILY, past)
    assert [c.id for c, _ in ranked] == [nasrin.id, shirin.id, twin_a.id, twin_b.id, rahim.id]
    reasons = {c.display_name: m.explanation for c, m in ranked}
    assert reasons["Nasrin Begum"] == (
        "Speaks Bangla · Cared for your mother twice, rated 5★ · Rated 4.8★ in 12 reviews"
        " · 5 years of experience · Works in Dhaka"
    )
    assert reasons["Shirin Akhter"].startswith("Speaks Bangla and English · Rated 4.8★")
    assert "Works in" not in reasons["Rahim Uddin"]


def test_continuity_with_a_good_review_outranks_a_small_rating_difference() -> None:
    known = caregiver("Known Caregiver", stars=4.5, reviews=20)
    better_rated = caregiver("Better Rated", stars=5.0, reviews=20)
    past = {known.id: PastCare(visits=1, stars=(5,))}

    ranked = rank([better_rated, known], FAMILY, past)

    assert [c.id for c, _ in ranked] == [known.id, better_rated.id]
    assert "Cared for your mother once, rated 5★" in ranked[0][1].reasons
    # As the weights say: half a star is worth at most a tenth of the rating points.
    gap = score(better_rated, FAMILY).score - score(known, FAMILY).score
    assert 0 < gap <= RATING_POINTS / 8 < CONTINUITY_GOOD


def test_a_poor_review_earns_no_continuity_and_an_unreviewed_visit_earns_some() -> None:
    someone = caregiver("Shirin Akhter", stars=4.0, reviews=5)
    stranger = score(someone, FAMILY).score
    poor = score(someone, FAMILY, PastCare(visits=1, stars=(2,)))
    unreviewed = score(someone, FAMILY, PastCare(visits=3))

    assert poor.score == stranger
    assert "Cared for your mother once, rated 2★" in poor.reasons
    assert stranger < unreviewed.score < stranger + CONTINUITY_GOOD
    assert "Cared for your mother 3 times" in unreviewed.reasons


def test_the_rating_counts_reviews_so_one_five_star_review_weighs_less_than_many() -> None:
    one_review = caregiver("One Review", stars=5.0, reviews=1)
    many_reviews = caregiver("Many Reviews", stars=4.7, reviews=40)

    assert [c.id for c, _ in rank([one_review, many_reviews], FAMILY)] == [
        many_reviews.id,
        one_review.id,
    ]


caregivers = st.builds(
    caregiver,
    st.text(alphabet="abcdefgh ", min_size=1, max_size=8),
    stars=st.floats(min_value=1, max_value=5, allow_nan=False),
    reviews=st.integers(min_value=0, max_value=500),
    years=st.integers(min_value=0, max_value=40),
    languages=st.lists(st.sampled_from(["Bangla", "English", "Sylheti"]), unique=True).map(tuple),
    divisions=st.lists(st.sampled_from(["Dhaka", "Sylhet"]), unique=True).map(tuple),
)
histories = st.one_of(
    st.none(),
    st.builds(
        PastCare,
        visits=st.integers(min_value=1, max_value=9),
        stars=st.lists(st.integers(min_value=1, max_value=5), max_size=3).map(tuple),
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(caregivers, min_size=1, max_size=6), st.data())
def test_scores_stay_within_the_documented_range_and_order_is_by_score(
    people: list[Caregiver], data: st.DataObject
) -> None:
    past = {c.id: h for c in people if (h := data.draw(histories)) is not None}
    ranked: list[Match] = [m for _, m in rank(people, FAMILY, past)]

    assert all(0 <= m.score <= MAX_SCORE for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert ranked == [m for _, m in rank(list(reversed(people)), FAMILY, past)]


@settings(max_examples=40, deadline=None)
@given(caregivers, histories)
def test_a_good_history_never_lowers_a_score(someone: Caregiver, past: PastCare | None) -> None:
    good = PastCare(visits=1, stars=(5,))
    assert score(someone, FAMILY, good).score >= score(someone, FAMILY, past).score
