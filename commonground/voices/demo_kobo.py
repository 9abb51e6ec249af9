"""SYNTHETIC KoBo channel and perception survey for the demo (``commonground demo``).

Made in code, labelled synthetic everywhere: the XLSForms follow the XLSForm standard
(https://xlsform.org: sheets ``survey``, ``choices``, ``settings``); the responses are invented
around Bambari (the admin-2 areas of Ouaka prefecture) for two rounds. No real person answered.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]

from commonground.core.models import Area
from commonground.sharing.models import Organization
from commonground.voices.models import ReportForm

#: The survey sheet: (type, name, English label, French label).
SURVEY = [
    ("start", "start", "", ""),
    ("end", "end", "", ""),
    ("begin_group", "incident", "The incident", "L'incident"),
    ("select_one cat", "categorie", "What happened?", "Que s'est-il passé ?"),
    ("date", "date_incident", "When?", "Quand ?"),
    ("select_one lieu", "commune", "Where?", "Où ?"),
    ("text", "lieu_precis", "Exact place", "Lieu précis"),
    ("geopoint", "gps", "Point", "Point"),
    ("select_multiple qui", "victimes", "Who was affected?", "Qui a été touché ?"),
    ("end_group", "", "", ""),
    ("begin_group", "personnes", "People", "Personnes"),
    ("integer", "femmes", "Women", "Femmes"),
    ("integer", "hommes", "Men", "Hommes"),
    ("end_group", "", "", ""),
    ("text", "recit", "Tell us", "Racontez"),
    ("select_one oui_non", "consent_count", "May we count it?", "Peut-on compter ?"),
    ("select_one oui_non", "consent_contact", "May we call back?", "Rappeler ?"),
    ("text", "contact", "Phone", "Téléphone"),
]
CHOICES = [
    ("cat", "pillage", "Looting", "Pillage"),
    ("cat", "menace", "Threat", "Menace"),
    ("cat", "retour", "Return", "Retour"),
    ("lieu", "bambari", "Bambari", "Bambari"),
    ("lieu", "ailleurs", "Elsewhere", "Ailleurs"),
    ("qui", "femmes", "Women", "Femmes"),
    ("qui", "enfants", "Children", "Enfants"),
    ("oui_non", "oui", "Yes", "Oui"),
    ("oui_non", "non", "No", "Non"),
]
FORM_ID = "signalement_synthetique"


#: The perception survey: coarse questions, then the perceptions indicators are defined on.
SURVEY_FORM_ID = "perceptions_synthetiques"
PERCEPTION_SURVEY = [
    ("select_one lieu", "commune", "Where do you live?", "Où habitez-vous ?"),
    ("select_one sexe", "sexe", "Sex", "Sexe"),
    ("integer", "age", "Age", "Âge"),
    ("decimal", "poids", "Design weight", "Poids de sondage"),
    (
        "select_one oui_non",
        "securite_marche",
        "Do you feel safe walking to the market?",
        "Vous sentez-vous en sécurité pour aller au marché ?",
    ),
    ("begin_group", "confiance", "Trust", "Confiance"),
    ("select_one niveau", "minusca", "Trust in MINUSCA", "Confiance dans la MINUSCA"),
    ("select_one niveau", "armee", "Trust in the national army", "Confiance dans les FACA"),
    (
        "select_one niveau",
        "comite_paix",
        "Trust in local peace committees",
        "Confiance dans les comités locaux de paix",
    ),
    ("end_group", "", "", ""),
]
LEVELS = [
    ("niveau", "beaucoup", "A lot", "Beaucoup"),
    ("niveau", "un_peu", "A little", "Un peu"),
    ("niveau", "pas_du_tout", "Not at all", "Pas du tout"),
]
#: Indicators the demo defines: (label, question, answers counted as success).
DEMO_INDICATORS = [
    ("Feel safe walking to the market", "securite_marche", ["oui"]),
    ("Trust MINUSCA (a lot)", "confiance/minusca", ["beaucoup"]),
    ("Trust the national army (a lot)", "confiance/armee", ["beaucoup"]),
    ("Trust local peace committees (a lot)", "confiance/comite_paix", ["beaucoup"]),
]


def write_xlsform(
    path: Path,
    survey: Sequence[tuple[str, str, str, str]] = SURVEY,
    choices: Sequence[tuple[str, str, str, str]] = CHOICES,
    form_id: str = FORM_ID,
) -> Path:
    """An XLSForm workbook (survey, choices, settings sheets), labelled SYNTHETIC."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "survey"
    sheet.append(["type", "name", "label::English (en)", "label::French (fr)"])
    for row in survey:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label::English (en)", "label::French (fr)"])
    for row in choices:
        sheet.append(list(row))
    sheet = book.create_sheet("settings")
    sheet.append(["form_id", "version", "form_title"])
    sheet.append([form_id, "2024061201", f"SYNTHETIC {form_id.replace('_', ' ')}"])
    book.save(path)
    return path


def survey_choices(areas: list[Area]) -> list[tuple[str, str, str, str]]:
    places = [("lieu", a.code.split(".")[-1], a.name_en, a.name_fr) for a in areas]
    if not places:  # no boundaries loaded yet: one place, matched by name when they are
        places = [("lieu", "bambari", "Bambari", "Bambari")]
    return [
        *places,
        ("sexe", "femme", "Woman", "Femme"),
        ("sexe", "homme", "Man", "Homme"),
        ("oui_non", "oui", "Yes", "Oui"),
        ("oui_non", "non", "No", "Non"),
        *LEVELS,
    ]


def synthetic_response(
    n: int, round_number: int, places: list[str], rng: random.Random
) -> dict[str, str]:
    """One invented respondent; round 2 feels a little safer (so the trend shows something)."""
    safer = 0.12 * (round_number - 1)
    woman = rng.random() < 0.5
    return {
        "commune": rng.choice(places),
        "sexe": "femme" if woman else "homme",
        "age": str(rng.randint(18, 70)),
        "poids": f"{rng.uniform(0.5, 2.0):.3f}",
        "securite_marche": "oui" if rng.random() < (0.35 if woman else 0.5) + safer else "non",
        "confiance/minusca": rng.choice(["beaucoup", "un_peu", "pas_du_tout"]),
        "confiance/armee": rng.choices(["beaucoup", "un_peu", "pas_du_tout"], [2, 3, 5])[0],
        "confiance/comite_paix": rng.choices(["beaucoup", "un_peu", "pas_du_tout"], [5, 3, 2])[0],
        "meta/instanceID": f"uuid:{uuid.UUID(int=rng.getrandbits(128))}",
    }


def do_demo_kobo(owner: Organization, seed: int = 2024) -> tuple[int, int]:
    """The demo's KoBo channel (form, XLSForm, mapping, a few submissions) and its two-round
    survey with indicators; idempotent. Returns (reports added, survey responses added)."""
    from commonground.voices.kobo import do_set_xlsform, import_submission_rows
    from commonground.voices.surveys import (
        do_create_survey,
        do_define_indicator,
        import_survey_rows,
    )
    from commonground.voices.xlsform import read_xlsform

    areas = list(Area.objects.filter(level=2, code__startswith="CAF.ouaka.").order_by("code"))
    rng = random.Random(seed)  # noqa: S311  # synthetic demo values, reproducible
    with tempfile.TemporaryDirectory() as folder:
        incident = read_xlsform(write_xlsform(Path(folder) / "kobo.xlsx"))
        choices = survey_choices(areas or [])
        perception = read_xlsform(
            write_xlsform(Path(folder) / "survey.xlsx", PERCEPTION_SURVEY, choices, SURVEY_FORM_ID)
        )
    form, _created = ReportForm.objects.get_or_create(
        owner=owner,
        slug="kobo-signalement",
        defaults={"title": "SYNTHETIC KoBoToolbox incident form", "is_synthetic": True},
    )
    do_set_xlsform(form, incident, is_synthetic=True)
    rows = [kobo_row(n, rng) for n in range(12)]
    reports = import_submission_rows(form, rows, "synthetic-kobo-export.csv", is_synthetic=True)
    survey = do_create_survey(owner, "perceptions-bambari", perception, is_synthetic=True)
    places = [c[1] for c in choices if c[0] == "lieu"] or ["ailleurs"]
    added = 0
    for round_number in (1, 2):
        answers = [synthetic_response(n, round_number, places, rng) for n in range(400)]
        added += import_survey_rows(
            survey, round_number, answers, f"synthetic-round-{round_number}.csv"
        ).added
    for label, question, success in DEMO_INDICATORS:
        do_define_indicator(survey, label, question, success)
    return reports.added, added


def kobo_row(n: int, rng: random.Random) -> dict[str, str]:
    instance = uuid.UUID(int=rng.getrandbits(128))
    return {
        "incident/categorie": rng.choice(["pillage", "menace", "retour"]),
        "incident/date_incident": f"2024-0{rng.randint(1, 5)}-{rng.randint(10, 28)}",
        "incident/commune": "bambari",
        "incident/lieu_precis": f"SYNTHETIC place {n}",
        "personnes/femmes": str(rng.randint(0, 4)),
        "personnes/hommes": str(rng.randint(0, 4)),
        "recit": f"SYNTHETIC demonstration account {n}: invented, no real person.",
        "consent_count": "oui",
        "consent_contact": "non",
        "meta/instanceID": f"uuid:{instance}",
        "_uuid": str(instance),
        "_submission_time": "2024-06-01T10:00:00",
    }


def do_demo_kobo_for_demo() -> tuple[int, int]:
    """``commonground demo``'s hook: the Bambari women's network's KoBo channel and survey."""
    from commonground.voices.demo import DEMO_OWNER

    return do_demo_kobo(Organization.objects.get(slug=DEMO_OWNER))
