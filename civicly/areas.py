"""The first-level administrative areas of the country Civicly serves (ISO 3166-2: Senegal's and Mali's regions,
Kenya's counties, Morocco's regions), named in the reader's language where pycountry has a translation.

Plain functions without Flask, so services, exports and tests read them alike. A case's area is the one its
citizen chose, or else the one its coordinates fall in (the nearest known town's, offline), or else one its place
names; areas.py never guesses across the border of the configured country.
"""
from __future__ import annotations

import gettext
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

DEFAULT_COUNTRY = "SN"
AREA_CODE_MAX = 8
EARTH_RADIUS_KM = 6371.0
POSITION_DECIMALS = 3  # 0.001° is about 110 m of latitude: where, not whose house
# Words that name the kind of area, not the area ("Kisumu County", "Région de Kaolack").
KIND_WORDS = re.compile(r"\b(county|region|district|province|prefecture|wilaya|jimbo|kaunti|mkoa|de|du|la|le)\b")
NOT_LETTERS = re.compile(r"[^a-z0-9]+")
PARENTHESES = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Area:
    code: str  # ISO 3166-2, e.g. SN-KL
    name: str


@lru_cache(maxsize=32)
def _subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    """(code, English name) of the first-level subdivisions of ``country``; empty for an unknown country."""
    found = pycountry.subdivisions.get(country_code=country.upper()) or []
    return tuple(sorted((s.code, s.name) for s in found if s.parent_code is None))


@lru_cache(maxsize=8)
def _translation(locale: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


def _display(name: str, locale: str) -> str:
    return PARENTHESES.sub("", _translation(locale).gettext(name)).strip()


def areas(country: str, locale: str) -> list[Area]:
    """The country's areas in alphabetical order of their name in ``locale``, for a picker."""
    found = [Area(code, _display(name, locale)) for code, name in _subdivisions(country)]
    return sorted(found, key=lambda area: _normalised(area.name))


def area_name(code: str | None, locale: str) -> str | None:
    """The area's name in ``locale``; None for no area, the code itself for one pycountry no longer knows."""
    if not code:
        return None
    subdivision = pycountry.subdivisions.get(code=code)
    return _display(subdivision.name, locale) if subdivision is not None else code


def is_area_of(code: str, country: str) -> bool:
    return any(known == code for known, _name in _subdivisions(country))


def _normalised(text: str) -> str:
    """Lower case, without accents, kind words or punctuation: "Région de Kaolack" and "kaolack" compare equal."""
    plain = unicodedata.normalize("NFKD", PARENTHESES.sub(" ", text.casefold()))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(NOT_LETTERS.sub(" ", KIND_WORDS.sub(" ", plain)).split())


@lru_cache(maxsize=32)
def _names(country: str) -> tuple[tuple[str, str], ...]:
    """(normalised name, code) of each area, longest names first so "Saint-Louis" wins over a shorter one inside."""
    return tuple(sorted(((_normalised(name), code) for code, name in _subdivisions(country)),
                        key=lambda pair: -len(pair[0])))


def area_named(text: str | None, country: str) -> str | None:
    """The code of the area whose name ``text`` contains as whole words ("Marché central, Kaolack"), if any."""
    if not text:
        return None
    padded = f" {_normalised(text)} "
    return next((code for name, code in _names(country) if name and f" {name} " in padded), None)


def area_at(latitude: float | None, longitude: float | None, country: str) -> str | None:
    """The area of the nearest known town to a position in ``country`` (offline, GeoNames towns of 1,000 people or
    more); None outside the country or without a position."""
    if latitude is None or longitude is None:
        return None
    import reverse_geocode  # loads its town list on first use

    town = reverse_geocode.get((latitude, longitude))
    if not town or town.get("country_code", "").upper() != country.upper():
        return None
    return area_named(town.get("state"), country)


def rounded_position(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """A browser's position kept to about 100 m."""
    if latitude is None or longitude is None:
        return None, None
    return round(latitude, POSITION_DECIMALS), round(longitude, POSITION_DECIMALS)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) positions."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
