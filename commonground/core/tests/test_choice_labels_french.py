"""Every choice a page shows (kinds, roles, levels, statuses) reads in French too.

A label missing from the .po shows in English on a French page without any error; this finds
each one from the models themselves, so a new choice cannot slip through.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

#: Labels that read the same in both languages (names, acronyms, words French shares).
SAME_IN_BOTH = {
    "Aviation",
    "Base",
    "Transport",
    "Coalition",
    "Creative Commons Attribution 4.0",
    "FrontlineSMS",
    "Maintenance",
    "Police (UNPOL)",
    "Public",
    "RapidPro",
    "Telerivet",
}


def choice_labels() -> list[tuple[str, str, str, str]]:
    """(model, field, English label, French label) of every choice of the project's models."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("commonground."):
            continue
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "flatchoices", None) or []:
                with translation.override("en"):
                    english = str(label)
                with translation.override("fr"):
                    french = str(label)
                found.append((model.__name__, field.name, english, french))
    return found


def test_every_choice_label_has_a_french_translation() -> None:
    labels = choice_labels()
    assert len(labels) > 50  # the models were read
    untranslated = []
    for model, field, english, french in labels:
        if french == english and english not in SAME_IN_BOTH and not english.isdigit():
            untranslated.append(f"{model}.{field}: {english!r}")
    assert untranslated == []
