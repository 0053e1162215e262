"""The service form as an admin fills it in, and how it becomes a service's fields.

Prices are typed in taka ("450" or "450.50") and kept in minor units; lists are typed one
entry a line, languages separated by commas, and choices arrive as repeated checkbox values.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import msgspec

from carevia.domain.catalogue.models import SERVICE_TYPE_LABELS, Category, Service
from carevia.domain.coverage import DIVISION_NAMES
from carevia.domain.shared import Invalid
from carevia.domain.shared.money import parse_taka
from carevia.domain.shared.text import Text

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IMAGES = {c.value: f"/static/img/services/{c.value}.svg" for c in Category}
TYPE_LABELS = SERVICE_TYPE_LABELS
MAX_PRICE = 1_000_000  # taka


def suggest_slug(name: str) -> str:
    """An address made from a name: "Elderly Care (Night)" becomes "elderly-care-night"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:80].strip("-")


def taka(minor_units: int) -> str:
    """Minor units as an admin types taka: 45000 is "450", 45050 is "450.50"."""
    major, minor = divmod(minor_units, 100)
    return str(major) if minor == 0 else f"{major}.{minor:02d}"


def _choices(raw: str | list[str]) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))


class ServiceForm(msgspec.Struct, frozen=True, kw_only=True):
    """The service form exactly as posted; checkboxes send "on", lists one entry a line."""

    name: str = ""
    slug: str = ""
    short_title: str = ""
    category: str = ""
    image: str = ""
    featured: str = ""
    price_per_hour: str = ""
    price_per_day: str = ""
    service_types: str | list[str] = ""
    working_hours: str = ""
    emergency_support: str = ""
    age_group: str = ""
    min_experience_years: str = ""
    certifications: str = ""
    languages: str = ""
    highlights: str = ""
    responsibilities: str = ""
    safety_measures: str = ""
    description: str = ""
    divisions: str | list[str] = ""
    min_hours: str = ""
    free_cancellation_hours: str = ""
    instant_booking: str = ""
    seo_title: str = ""
    seo_description: str = ""
    status: str = "active"
    version: str = ""
    # The same words in Bangla; each may be left empty, and the English is shown instead.
    name_bn: str = ""
    short_title_bn: str = ""
    working_hours_bn: str = ""
    age_group_bn: str = ""
    highlights_bn: str = ""
    responsibilities_bn: str = ""
    safety_measures_bn: str = ""
    description_bn: str = ""
    seo_title_bn: str = ""
    seo_description_bn: str = ""

    @property
    def chosen_types(self) -> list[str]:
        return _choices(self.service_types)

    @property
    def chosen_divisions(self) -> list[str]:
        return _choices(self.divisions)

    @classmethod
    def of(cls, service: Service) -> ServiceForm:
        rules, needs = service.booking_rules, service.requirements
        return cls(
            name=service.name,
            slug=service.slug,
            short_title=service.short_title,
            category=service.category.value,
            image=service.image,
            featured="on" if service.featured else "",
            price_per_hour=taka(service.price_per_hour),
            price_per_day=taka(service.price_per_day),
            service_types=list(service.service_types),
            working_hours=service.working_hours,
            emergency_support="on" if service.emergency_support else "",
            age_group=service.age_group or "",
            min_experience_years=str(needs.min_experience_years),
            certifications="\n".join(needs.certifications),
            languages=", ".join(needs.languages),
            highlights="\n".join(service.highlights),
            responsibilities="\n".join(service.responsibilities),
            safety_measures="\n".join(service.safety_measures),
            description=service.description,
            divisions=list(service.divisions),
            min_hours=str(rules.min_hours),
            free_cancellation_hours=str(rules.free_cancellation_hours),
            instant_booking="on" if rules.instant_booking else "",
            seo_title=service.seo_title,
            seo_description=service.seo_description,
            status=service.status,
            version=service.updated_at.isoformat(),
            name_bn=service.name_bn,
            short_title_bn=service.short_title_bn,
            working_hours_bn=service.working_hours_bn,
            age_group_bn=service.age_group_bn,
            highlights_bn="\n".join(service.highlights_bn),
            responsibilities_bn="\n".join(service.responsibilities_bn),
            safety_measures_bn="\n".join(service.safety_measures_bn),
            description_bn=service.description_bn,
            seo_title_bn=service.seo_title_bn,
            seo_description_bn=service.seo_description_bn,
        )


_LINE_LISTS = ("highlights", "responsibilities", "safety_measures")
_TEXT_LIMITS = {
    "name": 80,
    "short_title": 120,
    "working_hours": 40,
    "description": 5000,
    "seo_title": 60,
    "seo_description": 160,
}
# The Bangla beside them, held to the same limits and never required.
_BANGLA_TEXT_LIMITS = {
    **{f"{name}_bn": limit for name, limit in _TEXT_LIMITS.items()},
    "age_group_bn": 40,
}
# A picture uploaded in the services editor, served by the files context.
UPLOADED_IMAGE = re.compile(r"/files/[0-9a-f]{24}/640")


class _Reader:
    """Reads one form into Service fields, collecting a message per bad field."""

    def __init__(self, form: ServiceForm) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def text(self, name: str, limit: int, *, required: bool = True) -> str:
        value: str = getattr(self.form, name).strip()
        if required and not value:
            self.errors[name] = Text("This field is required.")
        elif len(value) > limit:
            self.errors[name] = Text(
                "Use at most %(limit)d characters (now %(length)d).", limit=limit, length=len(value)
            )
        return value

    def price(self, name: str) -> int:
        minor_units = parse_taka(getattr(self.form, name))
        if not minor_units or minor_units > MAX_PRICE * 100:
            self.errors[name] = Text("Enter a price in taka above 0, such as 450 or 450.50.")
            return 0
        return minor_units

    def number(self, name: str, low: int, high: int) -> int:
        text = getattr(self.form, name).strip()
        if not (text.isascii() and text.isdigit() and low <= int(text) <= high):
            self.errors[name] = Text(
                "Enter a whole number from %(low)d to %(high)d.", low=low, high=high
            )
            return low
        return int(text)

    def items(
        self,
        name: str,
        values: list[str],
        allowed: tuple[str, ...] | None = None,
        *,
        required: bool = True,
    ) -> list[str]:
        unknown = [v for v in values if allowed is not None and v not in allowed]
        if unknown:
            self.errors[name] = Text("Unknown choice: %(choices)s.", choices=", ".join(unknown))
        elif required and not values:
            self.errors[name] = Text("Choose or enter at least one.")
        elif any(len(v) > 200 for v in values) or len(values) > 30:
            self.errors[name] = Text("Keep it to 30 entries of at most 200 characters each.")
        return values

    def lines(self, name: str, *, required: bool = True) -> list[str]:
        raw: str = getattr(self.form, name)
        values = [line.strip() for line in raw.splitlines() if line.strip()]
        return self.items(name, values, required=required)


def read_form(form: ServiceForm, *, was_archived: bool = False) -> dict[str, Any]:
    """The Service fields a valid form describes; raises Invalid with a message per field."""
    read = _Reader(form)
    fields: dict[str, Any] = {f: read.text(f, limit) for f, limit in _TEXT_LIMITS.items()}
    # An empty address is made from the name; a typed one must already be well formed.
    slug = form.slug.strip() or suggest_slug(form.name)
    if not slug and form.name.strip():
        read.errors["slug"] = Text("Enter an address in Latin letters, such as “night-care”.")
    elif slug and (not SLUG_PATTERN.fullmatch(slug) or len(slug) > 80):
        hint = suggest_slug(slug) or "night-care"
        read.errors["slug"] = Text(
            "Use lowercase letters, digits and single hyphens, like “%(hint)s”.", hint=hint
        )
    category = form.category if form.category in IMAGES else None
    if category is None:
        read.errors["category"] = Text("Choose one of the four categories.")
    image = form.image or IMAGES.get(form.category, "")
    if image not in IMAGES.values() and not UPLOADED_IMAGE.fullmatch(image):
        read.errors["image"] = Text("Choose one of the listed pictures.")
    statuses = ("active", "inactive", "archived") if was_archived else ("active", "inactive")
    if form.status not in statuses:
        read.errors["status"] = Text("Choose active or inactive.")
    languages = [part.strip() for part in form.languages.split(",") if part.strip()]
    fields |= {
        "slug": slug,
        "category": category,
        "image": image,
        "featured": form.featured == "on",
        "price_per_hour": read.price("price_per_hour"),
        "price_per_day": read.price("price_per_day"),
        "service_types": read.items("service_types", form.chosen_types, tuple(TYPE_LABELS)),
        "emergency_support": form.emergency_support == "on",
        "age_group": read.text("age_group", 40, required=False) or None,
        "requirements": {
            "min_experience_years": read.number("min_experience_years", 0, 50),
            "certifications": read.lines("certifications", required=False),
            "languages": read.items("languages", languages),
        },
        **{name: read.lines(name) for name in _LINE_LISTS},
        **{f"{name}_bn": read.lines(f"{name}_bn", required=False) for name in _LINE_LISTS},
        **{f: read.text(f, limit, required=False) for f, limit in _BANGLA_TEXT_LIMITS.items()},
        "divisions": read.items("divisions", form.chosen_divisions, DIVISION_NAMES),
        "booking_rules": {
            "min_hours": read.number("min_hours", 1, 24),
            "free_cancellation_hours": read.number("free_cancellation_hours", 0, 168),
            "instant_booking": form.instant_booking == "on",
        },
        "status": form.status,
    }
    if read.errors:
        raise Invalid(read.errors)
    return fields


# Sensible starting values for a new service; everything else is typed by the admin.
NEW_SERVICE_FORM = ServiceForm(
    min_experience_years="1",
    languages="Bangla",
    min_hours="4",
    free_cancellation_hours="24",
)
