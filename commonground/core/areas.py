"""Matching the place names sources write to one area hierarchy, creating what is missing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import pycountry
from django.utils.text import slugify

from commonground.core.models import Area, AreaLevel

_SUFFIX = re.compile(
    r"\s+(province|prefecture|préfecture|region|région|district|state|governorate|"
    r"county|department|département|municipality|sub-prefecture|sous-préfecture)$",
    re.IGNORECASE,
)

#: UCDP GED country names that ISO 3166 spells differently (historic names in brackets).
GED_COUNTRY_NAMES = {
    "DR Congo (Zaire)": "COD",
    "Congo": "COG",
    "Ivory Coast": "CIV",
    "Russia (Soviet Union)": "RUS",
    "Yemen (North Yemen)": "YEM",
    "Cambodia (Kampuchea)": "KHM",
    "Myanmar (Burma)": "MMR",
    "Madagascar (Malagasy)": "MDG",
    "Zimbabwe (Rhodesia)": "ZWE",
    "Serbia (Yugoslavia)": "SRB",
    "Bosnia-Herzegovina": "BIH",
    "Kingdom of eSwatini (Swaziland)": "SWZ",
    "Macedonia, FYR": "MKD",
    "Turkey": "TUR",
    "Iran": "IRN",
    "Syria": "SYR",
    "Laos": "LAO",
    "Vietnam (North Vietnam)": "VNM",
    "Kosovo": "XKX",
}


def base_name(name: str) -> str:
    """'Ouaka province' -> 'Ouaka': the suffix is the source's, the name is the place's."""
    return _SUFFIX.sub("", name.strip())


def area_code(country: str, admin1: str = "", admin2: str = "") -> str:
    """Stable readable code: ``CAF``, ``CAF.ouaka``, ``CAF.ouaka.bambari``."""
    parts = [country.upper()]
    for name in (admin1, admin2):
        if not name:
            break
        parts.append(slugify(base_name(name)) or "unnamed")
    return ".".join(parts)


@cache
def country_iso3(name: str) -> str | None:
    """ISO 3166 alpha-3 code of a country named as a source writes it, or None."""
    name = name.strip()
    if name in GED_COUNTRY_NAMES:
        return GED_COUNTRY_NAMES[name]
    for candidate in (name, re.sub(r"\s*\(.*\)$", "", name)):
        try:
            return str(pycountry.countries.lookup(candidate).alpha_3)
        except LookupError:
            continue
    return None


@cache
def country_names(iso3: str) -> tuple[str, str]:
    """English and French names of a country, from pycountry's ISO 3166 translations."""
    country = pycountry.countries.get(alpha_3=iso3)
    english = str(getattr(country, "common_name", None) or getattr(country, "name", iso3))
    try:
        import gettext

        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
        french = catalogue.gettext(str(getattr(country, "name", iso3)))
    except (OSError, AttributeError):
        french = english
    return str(english), str(french)


AreaKey = tuple[str, str, str]  # (country ISO3, admin-1 name, admin-2 name) as the source wrote


def ensure_areas(keys: Iterable[AreaKey]) -> dict[AreaKey, tuple[Any, Any]]:
    """Map each (country, admin-1, admin-2) to (admin-1 id, admin-2 id), creating what is new.

    A spelling not seen before is added to the area's aliases. One query reads the countries'
    areas; new ones are created in bulk, parents first.
    """
    keys = set(keys)
    countries = {k[0] for k in keys}
    by_code: dict[str, Area] = {a.code: a for a in Area.objects.filter(country_code__in=countries)}

    def ensure(code: str, level: AreaLevel, parent: Area | None, country: str, raw: str) -> Area:
        area = by_code.get(code)
        if area is None:
            if level == AreaLevel.COUNTRY:
                english, french = country_names(country)
            else:
                english = french = base_name(raw)
            area = Area.objects.create(
                code=code,
                level=level,
                parent=parent,
                country_code=country,
                name_en=english,
                name_fr=french,
                aliases=[raw] if raw and raw != english else [],
            )
            by_code[code] = area
        elif raw and raw not in area.aliases and raw != area.name_en:
            area.aliases = [*area.aliases, raw]
            area.save(update_fields=["aliases", "updated_at"])
        return area

    result: dict[AreaKey, tuple[Any, Any]] = {}
    for country, admin1, admin2 in sorted(keys):
        top = ensure(country, AreaLevel.COUNTRY, None, country, "")
        first = second = None
        if admin1:
            first = ensure(area_code(country, admin1), AreaLevel.ADMIN1, top, country, admin1)
            if admin2:
                second = ensure(
                    area_code(country, admin1, admin2), AreaLevel.ADMIN2, first, country, admin2
                )
        result[(country, admin1, admin2)] = (
            first.pk if first else None,
            second.pk if second else None,
        )
    return result
