"""A ``{% translate %}`` string with a per cent sign is looked up with the sign doubled (Django
escapes it): its .po entry must be written ``%%`` too, or the French page shows English.

Every such string of every template is rendered here in French and must differ from English.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
TRANSLATE = re.compile(r'\{% (?:translate|trans) "([^"]*%[^"]*)"')


def percent_strings() -> list[str]:
    found = set()
    for template in ROOT.rglob("templates/**/*.html"):
        found.update(TRANSLATE.findall(template.read_text(encoding="utf-8")))
    return sorted(found)


def test_every_translated_string_with_a_per_cent_sign_reads_in_french() -> None:
    strings = percent_strings()
    assert len(strings) >= 3  # the templates were read
    english_left = []
    for text in strings:
        source = Template('{% load i18n %}{% translate "' + text + '" %}')
        with translation.override("fr"):
            french = source.render(Context())
        if french == text:
            english_left.append(text)
    assert english_left == []
