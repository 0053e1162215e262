"""Week-by-week payment: each later week's Checkout link is emailed 3 days before it starts."""

from __future__ import annotations

from datetime import timedelta

from carevia.domain.mail import Mailer
from carevia.domain.series.repository import SeriesRepository
from carevia.domain.shared.clock import Clock, utc_now

LINK_LEAD = timedelta(days=3)


class WeeklyPaymentLinks:
    def __init__(
        self,
        series: SeriesRepository,
        mailer: Mailer,
        base_url: str,
        timezone: str,
        clock: Clock = utc_now,
    ) -> None:
        self._series = series
        self._mailer = mailer
        self._base_url = base_url
        self._timezone = timezone
        self._clock = clock

    async def send_due(self, limit: int = 200) -> int:
        """Email each week's link once; safe to run from several workers at the same time.

        The outbox refuses a second message with the same key, so two workers finding the
        same week queue one email between them.
        """
        now = self._clock()
        sent = 0
        seen: set[tuple[object, int]] = set()
        for visit in await self._series.weekly_due(now, now + LINK_LEAD, limit):
            series = None if visit.series_id is None else await self._series.get(visit.series_id)
            if series is None or series.payment_plan != "weekly":
                continue
            week = series.week_of(visit.starts_at, self._timezone)
            if week <= 1 or (series.id, week) in seen or week in series.links_sent:
                continue
            seen.add((series.id, week))
            queued = await self._mailer.enqueue(
                visit.patient.email,
                "series_week_due",
                dedupe_key=f"series-week:{series.id}:{week}",
                first_name=visit.patient.name,
                series=series,
                week=week,
                booking=visit,
                pay_url=f"{self._base_url}/series/{series.id}?week={week}",
            )
            await self._series.claim_link(series.id, week)
            sent += int(queued)
        return sent
