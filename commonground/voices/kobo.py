"""KoBoToolbox and ODK Central exports as a channel of community reports.

The organization uploads the XLSForm once (:func:`do_set_xlsform`); the questions are mapped to
report fields (suggested by :func:`suggest_mapping`, corrected by an analyst and stored in a
``FormMapping``); every export of that form is then imported with the same mapping
(:func:`do_import_kobo`). Each submission becomes one report, sealed exactly as the public form
seals one (``services.new_report``), keyed on its instanceID: importing the same or a grown
export again adds only the new submissions. A batch is all-or-nothing: every row is parsed and
checked first, then everything is written in one transaction (ADR 0022).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, Model, UUIDField
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.core.importing import ImportRejected, Problem, ProblemList
from commonground.core.models import Area
from commonground.sharing.models import Organization
from commonground.voices import crypto
from commonground.voices.kobo_models import FormMapping
from commonground.voices.models import (
    COUNT_MAX,
    NARRATIVE_MAX,
    SHORT_TEXT_MAX,
    Category,
    Channel,
    DatePrecision,
    PerpetratorKind,
    Report,
    ReportForm,
)
from commonground.voices.services import ReportInput, audit, report_columns
from commonground.voices.xlsform import (
    FALSE_WORDS,
    SELECT_MULTIPLE,
    SELECT_ONE,
    TRUE_WORDS,
    Question,
    Repeat,
    RepeatEntry,
    XLSForm,
    joined_multiple,
    read_export,
    read_xlsform,
    submission_key,
)

#: Report fields a question may fill, and the kind of answer each takes.
REPORT_FIELDS: dict[str, str] = {
    "category": "choice",
    "occurred_on": "date",
    "date_precision": "choice",
    "area": "choice",
    "women": "count",
    "men": "count",
    "girls": "count",
    "boys": "count",
    "unknown": "count",
    "perpetrator_kind": "choice",
    "may_count": "consent",
    "may_contact": "consent",
    "may_quote": "consent",
    "narrative": "text",
    "contact": "text",
    "reporter_name": "text",
    "place": "text",
    "location": "geopoint",
}
#: Choice fields and the values they take.
CHOICE_VALUES: dict[str, list[str]] = {
    "category": list(Category.values),
    "date_precision": list(DatePrecision.values),
    "perpetrator_kind": list(PerpetratorKind.values),
}
#: Words in a question's name that suggest a report field (English and French).
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "category": ("categor", "type_incident", "incident_type", "what", "quoi", "evenement"),
    "occurred_on": ("date", "when", "quand"),
    "date_precision": ("precision",),
    "area": ("area", "district", "commune", "sous_pref", "admin2", "localite", "zone"),
    "women": ("women", "femmes"),
    "men": ("men", "hommes"),
    "girls": ("girls", "filles"),
    "boys": ("boys", "garcons"),
    "unknown": ("unknown", "inconnu"),
    "perpetrator_kind": ("perpetrat", "auteur", "who_did"),
    "may_count": ("consent_count", "may_count", "compter"),
    "may_contact": ("consent_contact", "may_contact", "recontact"),
    "may_quote": ("consent_quote", "may_quote", "citer"),
    "narrative": ("narrat", "descri", "story", "recit", "account", "details"),
    "contact": ("contact", "phone", "telephone"),
    "reporter_name": ("reporter_name", "nom", "your_name"),
    "place": ("place", "lieu", "village", "quartier"),
    "location": ("gps", "location", "coord", "point"),
}
#: Question types that fit each kind of report field.
KIND_TYPES: dict[str, set[str]] = {
    "choice": {SELECT_ONE, SELECT_MULTIPLE, "text"},
    "date": {"date", "datetime", "start", "end", "today"},
    "count": {"integer", "decimal", "text"},
    "consent": {SELECT_ONE, "acknowledge", "integer", "text"},
    "text": {"text"},
    "geopoint": {"geopoint"},
}
#: Fields a mapping must fill for a report to make sense.
REQUIRED_FIELDS = ("category", "occurred_on")
#: Used for the date when no question gives it: the tools' own receipt time.
SUBMISSION_TIME = ("_submission_time", "SubmissionDate")
#: Words that name each category in a choice (beyond the value itself).
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "threat": ("threat", "menace", "intimid"),
    "killing": ("kill", "meurtre", "tue", "homicide", "assassin"),
    "abduction": ("abduct", "kidnap", "enlev"),
    "sgbv": ("sgbv", "gbv", "vbg", "viol", "rape", "sexual", "sexuel"),
    "looting": ("loot", "pillage", "theft", "vol"),
    "displacement": ("displac", "deplac", "fled", "fuite"),
    "denial_of_services": ("denial", "service", "acces"),
    "land_livestock": ("land", "livestock", "betail", "foncier", "terre", "transhum"),
    "hate_speech": ("hate", "haine"),
    "local_agreement": ("agreement", "accord", "reconcil", "paix", "peace"),
    "return": ("return", "retour"),
}


#: The report's counts of people, each a count question or derived from the people repeat.
COUNT_FIELDS = ("women", "men", "girls", "boys", "unknown")
#: What a sex answer, and an age-group answer, of the people repeat may stand for.
SEX_VALUES = ["female", "male", "unknown"]
AGE_VALUES = ["child", "adult", "unknown"]
#: Under this age (in years) a person counts as a girl or a boy.
ADULT_AGE = 18
#: An age above this is a typing error, not a person.
AGE_MAX = 130
#: Question types for the repeat's sex and age questions.
SEX_TYPES = {SELECT_ONE, "text"}
AGE_TYPES = {"integer", "decimal", SELECT_ONE, "text"}
#: Words (in a repeat's or question's name) that suggest the people repeat and its questions.
PEOPLE_HINTS = ("personne", "person", "people", "victim", "individu", "membre", "member", "affect")
SEX_HINTS = ("sexe", "sex", "gender", "genre")
AGE_HINTS = ("age",)
#: Words in a choice's name or label that say a sex or an age group (English and French).
SEX_WORDS: dict[str, tuple[str, ...]] = {
    "female": ("f", "femme", "femmes", "female", "feminin", "woman", "women", "fille", "girl"),
    "male": ("m", "homme", "hommes", "male", "masculin", "man", "men", "garcon", "boy"),
    "unknown": ("inconnu", "unknown", "nsp", "ne_sait_pas", "dont_know", "autre", "other"),
}
AGE_WORDS: dict[str, tuple[str, ...]] = {
    "child": ("enfant", "child", "mineur", "minor", "moins_de_18", "under_18"),
    "adult": ("adulte", "adult", "majeur", "18_plus", "plus_de_18", "over_18", "aine", "elder"),
    "unknown": ("inconnu", "unknown", "nsp", "ne_sait_pas", "dont_know"),
}


def normal(text: str) -> str:
    """Lower case, accents dropped, separators as ``_``: for matching names and labels."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def suggest_mapping(
    questions: list[Question], areas: list[Area]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Which question fills which field, and which choice means which value, by name and type.

    A suggestion only: the analyst checks it on the mapping page before the first import.
    """
    fields: dict[str, str] = {}
    taken: set[str] = set()
    for report_field, kind in REPORT_FIELDS.items():
        for question in questions:
            if question.path in taken or question.type not in KIND_TYPES[kind]:
                continue
            name = normal(question.name)
            if any(hint in name for hint in NAME_HINTS[report_field]):
                fields[report_field] = question.path
                taken.add(question.path)
                break
    if "occurred_on" not in fields:
        fields["occurred_on"] = SUBMISSION_TIME[0]
    by_path = {q.path: q for q in questions}
    values: dict[str, dict[str, str]] = {}
    for report_field in ("category", "perpetrator_kind", "date_precision", "area"):
        chosen = by_path.get(fields.get(report_field, ""))
        if chosen is not None and chosen.choices:
            values[report_field] = {
                choice: suggest_value(report_field, choice, label, areas)
                for choice, label in zip(chosen.choices, chosen.choice_labels, strict=False)
            }
    return fields, values


def suggest_value(report_field: str, choice: str, label: str, areas: list[Area]) -> str:
    """The report value a choice most likely means ("" when nothing fits: the analyst says)."""
    words = f"{normal(choice)} {normal(label)}"
    if report_field == "area":
        for area in areas:
            names = {normal(area.name_en), normal(area.name_fr), normal(area.code.split(".")[-1])}
            if normal(choice) in names or normal(label) in names:
                return area.code
        return ""
    options = CHOICE_VALUES[report_field]
    if normal(choice) in options:
        return normal(choice)
    if report_field == "category":
        for value, hints in CATEGORY_WORDS.items():
            if any(hint in words for hint in hints):
                return value
        return Category.OTHER
    if report_field == "perpetrator_kind":
        return PerpetratorKind.OTHER
    return ""


def suggest_people(repeats: list[Repeat], fields: dict[str, str]) -> dict[str, Any]:
    """The repeat that lists affected people, its sex and age questions and what their choices
    mean, by name; only when no count question was suggested (counts come from one or the other).
    """
    if any(fields.get(f) for f in COUNT_FIELDS):
        return {}
    for repeat in repeats:
        sex = next(
            (q for q in repeat.questions if q.type in SEX_TYPES and hinted(q.name, SEX_HINTS)),
            None,
        )
        age = next(
            (q for q in repeat.questions if q.type in AGE_TYPES and hinted(q.name, AGE_HINTS)),
            None,
        )
        if sex is None or age is None:
            continue
        if not hinted(repeat.name, PEOPLE_HINTS) and len(repeats) > 1:
            continue
        return {
            "repeat": repeat.path,
            "sex": sex.path,
            "age": age.path,
            "sex_values": {
                c: word_value(c, label, SEX_WORDS)
                for c, label in zip(sex.choices, sex.choice_labels, strict=False)
            },
            "age_values": {
                c: age_group_value(c, label)
                for c, label in zip(age.choices, age.choice_labels, strict=False)
            },
        }
    return {}


def hinted(name: str, hints: tuple[str, ...]) -> bool:
    return any(hint in normal(name) for hint in hints)


def word_value(choice: str, label: str, words: dict[str, tuple[str, ...]]) -> str:
    """The value whose words are the choice's name or label ("" when none: the analyst says)."""
    for text in (normal(choice), normal(label)):
        for value, names in words.items():
            if text in names:
                return value
    return ""


def age_group_value(choice: str, label: str) -> str:
    """An age group's choice as child or adult: by its words, else by the years it names
    (``0_17``, ``5-17 ans`` are children; ``18_59``, ``60_plus`` adults; ``10_24`` is unsaid)."""
    found = word_value(choice, label, AGE_WORDS)
    if found:
        return found
    years = [int(n) for n in re.findall(r"\d+", f"{choice} {label}")]
    if years and max(years) < ADULT_AGE:
        return "child"
    if years and min(years) >= ADULT_AGE:
        return "adult"
    return ""


# --- The XLSForm and its mapping ---------------------------------------------------------------


def admin2_areas() -> list[Area]:
    return list(Area.objects.filter(level=2).order_by("code"))


def do_set_xlsform(
    report_form: ReportForm,
    xlsform: XLSForm,
    actor: User | None = None,
    is_synthetic: bool = False,
) -> tuple[FormMapping, bool]:
    """Store the form's questions; suggest a mapping the first time, keep the stored one after.

    Returns the mapping and whether it is new. A re-uploaded XLSForm keeps the fields whose
    questions still exist, and drops the others (the page then asks for them).
    """
    mapping = FormMapping.objects.filter(report_form=report_form).first()
    questions = [q.as_dict() for q in xlsform.questions]
    paths = {q.path for q in xlsform.questions} | set(SUBMISSION_TIME)
    with transaction.atomic():
        if mapping is None:
            fields, values = suggest_mapping(xlsform.questions, admin2_areas())
            mapping = FormMapping(
                owner=report_form.owner,
                report_form=report_form,
                fields=fields,
                values=values,
                people=suggest_people(xlsform.repeats, fields),
                is_synthetic=is_synthetic,
            )
            new = True
        else:
            mapping.fields = {f: p for f, p in mapping.fields.items() if p in paths}
            mapping.people = kept_people(mapping.people, xlsform)
            new = False
        mapping.repeats = [r.as_dict() for r in xlsform.repeats]
        mapping.form_id = xlsform.form_id
        mapping.version = xlsform.version
        mapping.title = xlsform.title
        mapping.questions = questions
        mapping.xlsform_sha256 = xlsform.sha256
        mapping.updated_by = actor
        mapping.save()
        audit(
            "voices.kobo.xlsform",
            actor,
            str(mapping.pk),
            owner=report_form.owner.slug,
            form=report_form.slug,
            form_id=xlsform.form_id,
            version=xlsform.version,
        )
    return mapping, new


def kept_people(people: dict[str, Any], xlsform: XLSForm) -> dict[str, Any]:
    """The people mapping still valid for a re-uploaded XLSForm (none if its repeat is gone;
    a question that is gone is dropped, and the page then asks for it)."""
    repeat = xlsform.repeat(people.get("repeat", ""))
    if repeat is None:
        return {}
    paths = {q.path for q in repeat.questions}
    return {k: v for k, v in people.items() if k not in ("sex", "age") or v in paths}


def check_people(
    mapping: FormMapping, people: dict[str, Any], fields: dict[str, str], problems: ProblemList
) -> dict[str, Any]:
    """The people mapping, checked: its repeat and questions exist, the counts come from the
    repeat or from count questions (not both), every choice's value is a known one."""
    if not people.get("repeat"):
        return {}
    repeat = next((r for r in mapping.repeats if r["path"] == people["repeat"]), None)
    if repeat is None:
        problems.add(None, "people/repeat", _("not a repeat group of the form"))
        return {}
    questions = {q["path"]: q for q in repeat["questions"]}
    for key, types in (("sex", SEX_TYPES), ("age", AGE_TYPES)):
        question = questions.get(people.get(key, ""))
        if question is None:
            reason = _("choose a question of the repeat group {repeat}").format(
                repeat=repeat["path"]
            )
            problems.add(None, f"people/{key}", reason)
        elif question["type"] not in types:
            problems.add(None, f"people/{key}", _("this type of question cannot say that"))
    for key, allowed in (("sex_values", SEX_VALUES), ("age_values", AGE_VALUES)):
        for choice, value in people.get(key, {}).items():
            if value not in [*allowed, ""]:
                problems.add(None, f"people/{key}/{choice}", _("not a value of this field"))
    for report_field in COUNT_FIELDS:
        if fields.get(report_field):
            reason = _(
                "the counts come from the repeat group of people: leave this count's question "
                "empty, or choose no repeat group"
            )
            problems.add(None, report_field, reason)
    return {
        "repeat": repeat["path"],
        "sex": people.get("sex", ""),
        "age": people.get("age", ""),
        "sex_values": dict(people.get("sex_values", {})),
        "age_values": dict(people.get("age_values", {})),
    }


def do_save_mapping(
    mapping: FormMapping,
    fields: dict[str, str],
    values: dict[str, dict[str, str]],
    actor: User | None,
    people: dict[str, Any] | None = None,
) -> FormMapping:
    """An analyst's mapping, checked against the form's questions and the report's values.

    ``people`` (the repeat group counted by sex and age, see :func:`check_people`): ``None``
    keeps the stored one, ``{}`` removes it.
    """
    paths = {q["path"] for q in mapping.questions} | set(SUBMISSION_TIME)
    problems = ProblemList(mapping.form_id)
    checked_people = check_people(
        mapping, mapping.people if people is None else people, fields, problems
    )
    for report_field, path in fields.items():
        if report_field not in REPORT_FIELDS:
            problems.add(None, report_field, _("not a report field"))
        elif path and path not in paths:
            problems.add(None, report_field, _("not a question of the form"))
    for report_field in REQUIRED_FIELDS:
        if not fields.get(report_field):
            problems.add(None, report_field, _("this report field needs a question"))
    for report_field, choices in values.items():
        allowed = set(CHOICE_VALUES.get(report_field, [])) | {""}
        for choice, value in choices.items():
            if report_field == "area":
                continue
            if value not in allowed:
                problems.add(None, f"{report_field}/{choice}", _("not a value of this field"))
    problems.raise_if_any(0)
    mapping.fields = {f: p for f, p in fields.items() if p}
    mapping.values = values
    mapping.people = checked_people
    mapping.updated_by = actor
    mapping.save()
    audit(
        "voices.kobo.mapping",
        actor,
        str(mapping.pk),
        fields=sorted(mapping.fields),
        people_repeat=checked_people.get("repeat", ""),
    )
    return mapping


# --- Rows into reports -------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What one batch did (or, in a dry run, would do)."""

    rows: int
    added: int
    already_known: int
    repeated_in_file: int
    dry_run: bool = False


#: Which count a person of known sex and age group goes to.
PERSON_FIELD = {
    ("female", "adult"): "women",
    ("male", "adult"): "men",
    ("female", "child"): "girls",
    ("male", "child"): "boys",
}


class RowReader:
    """Turns one row (keyed by question path) into a :class:`ReportInput`, or problems."""

    def __init__(self, mapping: FormMapping, problems: ProblemList) -> None:
        self.mapping = mapping
        self.problems = problems
        self.questions = {q["path"]: Question.from_dict(q) for q in mapping.questions}
        self.repeat_questions = {
            q.path: q for r in mapping.repeats for q in Repeat.from_dict(r).questions
        }
        self.areas = {a.code: a for a in Area.objects.filter(code__in=self.area_codes())}

    def area_codes(self) -> set[str]:
        return {v for v in self.mapping.values.get("area", {}).values() if v}

    def answer(self, row: dict[str, str], report_field: str) -> tuple[str, str]:
        """The (column, text) of the question mapped to ``report_field``; ("", "") if none."""
        path = self.mapping.fields.get(report_field, "")
        if not path:
            return "", ""
        question = self.questions.get(path)
        if question is not None and question.type == SELECT_MULTIPLE:
            return path, joined_multiple(row, question)
        if path == SUBMISSION_TIME[0] and path not in row:
            return SUBMISSION_TIME[1], row.get(SUBMISSION_TIME[1], "").strip()
        return path, row.get(path, "").strip()

    def read(
        self, number: int, row: dict[str, str], people: list[RepeatEntry] | None = None
    ) -> ReportInput | None:
        before = len(self.problems.items) + self.problems.more
        fail: Callable[[str, str], None] = lambda column, reason: self.problems.add(  # noqa: E731
            number, column, reason
        )
        values: dict[str, Any] = {}
        if self.mapping.people.get("repeat"):
            values.update(self.count_people(number, people or []))
        for report_field, kind in REPORT_FIELDS.items():
            column, text = self.answer(row, report_field)
            if not column:
                continue
            value = self.convert(report_field, kind, column, text, fail)
            if value is not None:
                values[report_field] = value
        if "category" not in values and "category" in self.mapping.fields:
            fail(self.mapping.fields["category"], _("no answer: a report needs a category"))
        if "occurred_on" not in values:
            column = self.mapping.fields.get("occurred_on", "")
            fail(column, _("no date: a report needs the day it happened"))
        if len(self.problems.items) + self.problems.more > before:
            return None
        location = values.pop("location", (None, None))
        return ReportInput(**values, latitude=location[0], longitude=location[1])

    def count_people(self, number: int, entries: list[RepeatEntry]) -> dict[str, int]:
        """The report's counts from the people repeat: one person per entry, by sex and age
        (under 18: girl or boy); a person whose sex or age is not known counts as unknown."""
        people = self.mapping.people
        counts = dict.fromkeys(COUNT_FIELDS, 0)
        for entry in entries:
            sex = self.entry_value(entry, people.get("sex", ""), "sex_values", SEX_WORDS)
            age = self.entry_value(entry, people.get("age", ""), "age_values", AGE_WORDS)
            if sex is None or age is None:
                continue
            if sex == "unknown" or age == "unknown":
                counts["unknown"] += 1
            else:
                counts[PERSON_FIELD[(sex, age)]] += 1
        for report_field, count in counts.items():
            if count > COUNT_MAX:
                reason = _("more than {limit} people of one kind in the repeat group {repeat}")
                self.problems.add(
                    number,
                    people["repeat"],
                    reason.format(limit=COUNT_MAX, repeat=people["repeat"]),
                )
                counts[report_field] = COUNT_MAX
        return counts

    def entry_value(
        self, entry: RepeatEntry, path: str, values_key: str, words: dict[str, tuple[str, ...]]
    ) -> str | None:
        """One entry's sex (female, male, unknown) or age group (child, adult, unknown); None
        after a problem named with the entry's sheet or file, row and column."""
        text = entry.values.get(path, "").strip()
        if not text:
            return "unknown"
        question = self.repeat_questions.get(path)
        if values_key == "age_values" and question is not None and question.type != SELECT_ONE:
            try:
                years = float(text)
            except ValueError:
                years = -1.0
            if 0 <= years <= AGE_MAX:
                return "child" if years < ADULT_AGE else "adult"
            if question.type != "text":
                reason = _("not an age in years between 0 and {limit}: {value!r}")
                self.fail_at(entry, path, reason.format(limit=AGE_MAX, value=text[:40]))
                return None
        first = text.split()[0]
        value = self.mapping.people.get(values_key, {}).get(first, "") or word_value(
            first, "", words
        )
        if not value:
            field = _("sex") if values_key == "sex_values" else _("age group")
            reason = _("the answer {answer!r} has no {field} in the form's mapping")
            self.fail_at(entry, path, reason.format(answer=first[:40], field=field))
            return None
        return value

    def fail_at(self, entry: RepeatEntry, column: str, reason: str) -> None:
        """A problem in a repeat's sheet or file (not in the submissions' table)."""
        file, self.problems.file = self.problems.file, entry.where
        try:
            self.problems.add(entry.number, column, reason)
        finally:
            self.problems.file = file

    def convert(
        self, report_field: str, kind: str, column: str, text: str, fail: Callable[[str, str], None]
    ) -> Any:
        if kind == "choice":
            return self.choice(report_field, column, text, fail)
        if not text:
            return None
        if kind == "date":
            return parse_date(text, column, fail)
        if kind == "count":
            return parse_count(text, column, fail)
        if kind == "consent":
            return parse_consent(text, column, fail)
        if kind == "geopoint":
            return parse_geopoint(text, column, fail)
        limit = NARRATIVE_MAX if report_field == "narrative" else SHORT_TEXT_MAX
        if len(text) > limit:
            fail(column, _("longer than {limit} characters").format(limit=limit))
            return None
        return text

    def choice(
        self, report_field: str, column: str, text: str, fail: Callable[[str, str], None]
    ) -> Any:
        first = text.split()[0] if text.split() else ""
        if not first:
            return None
        value = self.mapping.values.get(report_field, {}).get(first, "")
        if report_field == "area":
            return self.areas.get(value)
        if not value and first in CHOICE_VALUES[report_field]:
            value = first
        if not value:
            fail(
                column,
                _("the answer {answer!r} has no {field} in the form's mapping").format(
                    answer=first, field=report_field
                ),
            )
            return None
        return value


def parse_date(text: str, column: str, fail: Callable[[str, str], None]) -> Any:
    try:
        day = datetime.date.fromisoformat(text[:10])
    except ValueError:
        fail(column, _("not a date (YYYY-MM-DD): {value!r}").format(value=text[:40]))
        return None
    if day > datetime.date.today():
        fail(column, _("the date is in the future"))
        return None
    return day


def parse_count(text: str, column: str, fail: Callable[[str, str], None]) -> Any:
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if number < 0 or not number.is_integer() or number > COUNT_MAX:
        fail(column, _("not a count between 0 and {limit}").format(limit=COUNT_MAX))
        return None
    return int(number)


def parse_consent(text: str, column: str, fail: Callable[[str, str], None]) -> Any:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    fail(column, _("not a yes or no answer: {value!r}").format(value=text[:40]))
    return None


def parse_geopoint(text: str, column: str, fail: Callable[[str, str], None]) -> Any:
    """ODK's geopoint: ``latitude longitude [altitude [accuracy]]``."""
    parts = text.split()
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        fail(column, _("not a point (latitude longitude): {value!r}").format(value=text[:40]))
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        fail(column, _("the point is outside the Earth's coordinates"))
        return None
    return latitude, longitude


def import_submission_rows(
    form: ReportForm,
    rows: list[dict[str, str]],
    source_name: str,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    first_row: int = 2,
    is_synthetic: bool = False,
    entries: dict[str, list[list[RepeatEntry]]] | None = None,
) -> ImportResult:
    """Import submissions of ``form`` as reports, all or nothing; the entry of every ODK channel.

    Contract, for every caller (the export reader here, the ODK encrypted-submission reader):

    - ``form`` has a stored ``FormMapping`` (:func:`do_set_xlsform`); it says which key of a row
      fills which report field.
    - ``rows``: one ``dict`` per submission, keyed as KoBo's export columns are: question paths
      with ``/`` (``incident/category``), ``meta/instanceID`` (``uuid:...``; else ``KEY`` or
      ``_uuid``), ``_submission_time``; values are the text the export holds (a select_multiple
      as one space-separated text, or split ``question/option`` keys with ``1``/``0`` or
      ``True``/``False``). Missing keys are blank answers.
    - ``source_name`` names the source in problems (a file name); ``rows[i]`` is reported as row
      ``first_row + i`` (spreadsheet numbering, header on row 1).
    - Every row is checked before anything is written. Any problem raises
      :class:`ImportRejected` (file, row, column, reason, translated) and **nothing is
      written**. Otherwise every new submission is stored in one transaction, sealed like a
      report of the public form (channel ``kobo``, client key = the instanceID without
      ``uuid:``). A submission already stored, or repeated in ``rows``, is skipped: calling again
      with the same or a grown batch adds only the new ones.
    - ``dry_run`` checks everything and says what would be added, writing nothing.
    - ``entries``: when the mapping counts people from a repeat group, ``entries[repeat][i]``
      are that repeat's entries belonging to ``rows[i]`` (``xlsform.read_export`` reads them);
      the counts are derived from them (:meth:`RowReader.count_people`). A source without them
      is refused rather than read as nobody affected.
    """
    mapping = FormMapping.objects.filter(report_form=form).first()
    problems = ProblemList(source_name)
    if mapping is None:
        problems.add(None, None, _("this form has no XLSForm and mapping yet: upload the XLSForm"))
        problems.raise_if_any(0)
    assert mapping is not None  # raise_if_any raised otherwise
    reader = RowReader(mapping, problems)
    repeat = mapping.people.get("repeat", "")
    people = (entries or {}).get(repeat) if repeat else None
    if repeat and (people is None or len(people) != len(rows)):
        reason = _(
            "the mapping counts people from the repeat group {repeat}, and this source has no "
            "entries of it"
        ).format(repeat=repeat)
        problems.add(None, None, reason)
        problems.raise_if_any(0)
    parsed: dict[str, ReportInput] = {}
    repeated = 0
    for offset, row in enumerate(rows):
        number = first_row + offset
        key = submission_key(row)
        if not key:
            problems.add(
                number, "meta/instanceID", _("no instanceID, KEY or _uuid: no way to know it")
            )
            continue
        if key in parsed:
            repeated += 1
            continue
        data = reader.read(number, row, people[offset] if people is not None else None)
        if data is not None:
            parsed[key] = data
    problems.raise_if_any(len(rows))
    known = known_keys(form.owner, list(parsed))
    fresh = {k: v for k, v in parsed.items() if k not in known}
    result = ImportResult(len(rows), len(fresh), len(parsed) - len(fresh), repeated, dry_run)
    if dry_run:
        return result
    with transaction.atomic():
        persist(form, fresh, is_synthetic)
        audit(
            "voices.kobo.imported",
            actor,
            f"{form.owner.slug}/{form.slug}",
            file=source_name,
            rows=result.rows,
            added=result.added,
            already_known=result.already_known,
            repeated_in_file=result.repeated_in_file,
        )
    return result


def known_keys(owner: Organization, keys: list[str]) -> set[str]:
    """Which of these submissions are already stored (asked in chunks: SQLite bounds params)."""
    found: set[str] = set()
    existing = Report.objects.filter(owner=owner, channel=Channel.KOBO)
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        found.update(existing.filter(client_key__in=chunk).values_list("client_key", flat=True))
    return found


def persist(form: ReportForm, fresh: dict[str, ReportInput], is_synthetic: bool) -> None:
    """Seal and insert the new submissions (``insert_rows``: one statement per 500 reports)."""
    key = crypto.ensure_organization_key(form.owner)
    columns = []
    for client_key, data in fresh.items():
        receipt = crypto.receipt_code(key, f"{Channel.KOBO}:{client_key}")
        columns.append(
            report_columns(
                key, receipt, form, form.owner, client_key, data, Channel.KOBO, is_synthetic
            )
        )
    insert_rows(Report, columns)


def insert_rows(model: type[Model], rows: list[dict[str, Any]], batch: int = 500) -> None:
    """Insert rows given by attribute name, without building a model instance per row.

    ``bulk_create`` spent most of a 10,000-submission import compiling values field by field
    (bench/voices_kobo.py); here each column gets one converter (UUIDs as the backend stores
    them, dates and times adapted), then PostgreSQL takes the rows by ``COPY`` and SQLite by
    ``executemany``. Fields not given take their default; ``created_at`` and ``updated_at`` are
    the same instant for the whole batch.
    """
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    convert = [converter(field) for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {
        f.attname: now if f.attname in {"created_at", "updated_at"} else f.get_default()
        for f in fields
    }
    values = (
        tuple(
            conv(row[f.attname] if f.attname in row else defaults[f.attname])
            for f, conv in zip(fields, convert, strict=True)
        )
        for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for record in values:
                    copy.write_row(record)
            return
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # quoted names
        pending = list(values)
        for start in range(0, len(pending), batch):
            cursor.executemany(sql, pending[start : start + batch])


def converter(field: Any) -> Callable[[Any], Any]:
    """How one column's Python value is given to the database driver."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: value.hex if value is not None else None
    if isinstance(field, DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, DateField):
        return lambda value: connection.ops.adapt_datefield_value(value)
    return lambda value: value


def do_import_kobo(
    form: ReportForm,
    xlsform_path: Path | None,
    export_path: Path,
    *,
    actor: User | None = None,
    dry_run: bool = False,
    xlsform_name: str | None = None,
    export_name: str | None = None,
) -> tuple[ImportResult, FormMapping]:
    """Read the XLSForm (when given: stored, mapping suggested the first time) and the export,
    check the export against the form, then import its submissions all-or-nothing.

    A dry run stores neither the XLSForm nor the submissions.
    """
    mapping = FormMapping.objects.filter(report_form=form).first()
    if xlsform_path is not None:
        xlsform = read_xlsform(xlsform_path, xlsform_name)
        if mapping is not None and mapping.form_id != xlsform.form_id:
            reason = _("this form's mapping is for the XLSForm {old}, not {new}").format(
                old=mapping.form_id, new=xlsform.form_id
            )
            raise ImportRejected([Problem(xlsform_name or xlsform_path.name, None, None, reason)])
    elif mapping is not None:
        xlsform = XLSForm(
            mapping.form_id,
            mapping.version,
            mapping.title,
            [Question.from_dict(q) for q in mapping.questions],
            repeats=[Repeat.from_dict(r) for r in mapping.repeats],
        )
    else:
        reason = _("upload the form's XLSForm first")
        raise ImportRejected([Problem(export_name or export_path.name, None, None, reason)])
    if mapping is None:
        people = suggest_people(xlsform.repeats, suggest_mapping(xlsform.questions, [])[0])
    else:
        people = kept_people(mapping.people, xlsform)
    export = read_export(export_path, xlsform, export_name, repeats=[people.get("repeat", "")])
    with transaction.atomic():
        if xlsform_path is not None:
            mapping, _new = do_set_xlsform(form, xlsform, actor)
        result = import_submission_rows(
            form, export.rows, export.name, actor=actor, dry_run=dry_run, entries=export.entries
        )
        if dry_run:
            transaction.set_rollback(True)
    assert mapping is not None  # set above in every branch
    return result, mapping
