"""The memory one process gives to kept pages stays bounded, whatever queries arrive."""

from __future__ import annotations

from datetime import UTC, datetime

from carevia.domain.catalogue.changes import DataVersions
from carevia.web.page_cache import MAX_BYTES, KeptPage, PageCache

TOPICS = ("catalogue",)


def cache() -> PageCache:
    versions = DataVersions("carevia")
    versions.following = True
    return PageCache(versions, lambda: datetime(2026, 1, 1, tzinfo=UTC))


def page(kept: PageCache, size: int) -> KeptPage:
    return KeptPage(versions=kept.stamp(TOPICS), status=200, headers=[], parts=[b"x" * size])


def test_pages_past_the_byte_bound_start_the_cache_afresh() -> None:
    kept = cache()
    quarter = MAX_BYTES // 4
    for number in range(4):
        kept.keep((f"/services?q={number}",), page(kept, quarter))
    assert all(kept.get((f"/services?q={n}",), TOPICS) for n in range(4))
    kept.keep(("/services?q=more",), page(kept, quarter))
    assert kept.get(("/services?q=0",), TOPICS) is None
    assert kept.get(("/services?q=more",), TOPICS) is not None


def test_a_page_kept_again_under_its_key_is_counted_once() -> None:
    kept = cache()
    for _ in range(10):
        kept.keep(("/",), page(kept, MAX_BYTES // 3))
    kept.keep(("/services",), page(kept, MAX_BYTES // 3))
    assert kept.get(("/",), TOPICS) is not None


def test_a_write_makes_every_kept_page_stale() -> None:
    kept = cache()
    kept.keep(("/",), page(kept, 10))
    kept.versions.moved("catalogue")
    assert kept.get(("/",), TOPICS) is None
