"""A visit report as a caregiver fills it in, with values the privacy checks look for."""

from __future__ import annotations

# Each value is distinctive, so finding one in a log, a payload, an email or a CSV is a leak.
REPORT = {
    "meals": "Khichuri with egg at one",
    "medication": "Calpol syrup five ml after lunch",
    "mood": "calm",
    "concern": "Rash behind the left knee since morning",
}
REPORT_VALUES = (REPORT["meals"], REPORT["medication"], REPORT["concern"])
