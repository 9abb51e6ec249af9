"""Each role sees exactly what it may: one table, one row per (person, record) pair."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.queries import visible_events
from commonground.sharing.models import (
    Licence,
    Organization,
    Role,
    Sensitivity,
    SharingAgreement,
)
from commonground.sharing.policy import AnyUser, access_exportable
from commonground.sharing.services import do_add_member, local_organization

# Records: (label, owner slug, sensitivity, licence)
RECORDS = [
    ("public GED", "local", Sensitivity.PUBLIC, Licence.CC_BY_4_0),
    ("partners note by JMAC", "minusca-jmac", Sensitivity.PARTNERS, Licence.OWNER),
    ("restricted JMAC incident", "minusca-jmac", Sensitivity.RESTRICTED, Licence.OWNER),
    ("confidential JMAC incident", "minusca-jmac", Sensitivity.CONFIDENTIAL, Licence.OWNER),
    ("restricted SFCG report", "sfcg-car", Sensitivity.RESTRICTED, Licence.OWNER),
    ("confidential SFCG source", "sfcg-car", Sensitivity.CONFIDENTIAL, Licence.OWNER),
    ("public ACLED row of JMAC", "minusca-jmac", Sensitivity.PUBLIC, Licence.ACLED),
    ("partners ACLED row of SFCG", "sfcg-car", Sensitivity.PARTNERS, Licence.ACLED),
]

# Who sees what. SFCG has an agreement giving JMAC its records up to restricted (so not its
# confidential source). "nadia" is a platform administrator by membership only, without
# Django's superuser flag: her role alone gives her everything.
EXPECTED = {
    "anonymous": {"public GED"},
    "jean": {"public GED", "partners note by JMAC"},
    "marc": {
        "public GED",
        "partners note by JMAC",
        "restricted JMAC incident",
        "public ACLED row of JMAC",
        "restricted SFCG report",
    },
    "amina": {
        "public GED",
        "partners note by JMAC",
        "restricted JMAC incident",
        "confidential JMAC incident",
        "public ACLED row of JMAC",
        "restricted SFCG report",
    },
    "sofia": {
        "public GED",
        "partners note by JMAC",
        "restricted SFCG report",
        "confidential SFCG source",
        "partners ACLED row of SFCG",
    },
    "admin": {label for label, *_ in RECORDS},
    "nadia": {label for label, *_ in RECORDS},
}


@pytest.fixture
def nadia(db: None) -> User:
    """A platform administrator by role, without Django's superuser or staff flag."""
    user = User.objects.create_user("nadia", password="x")  # a test account
    do_add_member(user, local_organization(), Role.PLATFORM_ADMIN)
    return user


def person_named(person: str, cast: dict[str, User], nadia: User) -> AnyUser:
    if person == "anonymous":
        return AnonymousUser()
    return nadia if person == "nadia" else cast[person]


@pytest.fixture
def records(cast: dict[str, User]) -> dict[str, Event]:
    orgs = {org.slug: org for org in Organization.objects.all()}
    SharingAgreement.objects.create(
        provider=orgs["sfcg-car"], recipient=orgs["minusca-jmac"], max_sensitivity=2
    )
    made = {}
    for n, (label, owner, sensitivity, licence) in enumerate(RECORDS):
        run = ImportRun.objects.create(dataset="test", file_name="policy", sha256="0" * 64)
        made[label] = Event.objects.create(
            dataset="test",
            dataset_version="1",
            source_id=str(n),
            import_run=run,
            source_row=n + 2,
            content_hash="x",
            date_start=datetime.date(2020, 1, 1),
            date_end=datetime.date(2020, 1, 1),
            date_precision=1,
            latitude=4.36,
            longitude=18.55,
            location_precision=1,
            country_code="CAF",
            priogrid_gid=1,
            violence_type="one_sided",
            fatalities_best=1,
            description=label,
            owner=orgs[owner],
            sensitivity=sensitivity,
            licence=licence,
        )
    return made


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_each_person_sees_exactly_what_the_policy_allows(
    person: str, cast: dict[str, User], nadia: User, records: dict[str, Event]
) -> None:
    user = person_named(person, cast, nadia)
    seen = set(visible_events(user).values_list("description", flat=True))
    assert seen == EXPECTED[person]


def test_withdrawn_events_are_hidden_from_everyone(
    cast: dict[str, User], records: dict[str, Event]
) -> None:
    Event.objects.filter(description="public GED").update(withdrawn=True)
    assert not visible_events(cast["admin"]).filter(description="public GED").exists()


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_stored_figures_hold_exactly_the_records_each_person_may_see(
    person: str, cast: dict[str, User], nadia: User, records: dict[str, Event]
) -> None:
    """The analysis app's figure tables carry the events' ownership fields: same policy."""
    from commonground.analysis.models import AreaMonthFigure, CellMonthFigure, CountryMonthFigure
    from commonground.sharing.policy import access_owned

    user = person_named(person, cast, nadia)
    expected = {(o, s, lic) for label, o, s, lic in RECORDS if label in EXPECTED[person]}
    for model in (CountryMonthFigure, AreaMonthFigure, CellMonthFigure):
        rows = access_owned(model.objects.all(), user)
        seen = set(rows.values_list("owner__slug", "sensitivity", "licence"))
        assert seen == expected, model.__name__
        assert sum(rows.values_list("events", flat=True)) == len(EXPECTED[person])


#: What may leave the platform in raw form (an export) up to each chosen level: never a row
#: above the level, never a row under a derived-only licence.
EXPORTABLE = {
    Sensitivity.PUBLIC: {"public GED"},
    Sensitivity.PARTNERS: {"public GED", "partners note by JMAC"},
    Sensitivity.RESTRICTED: {
        "public GED",
        "partners note by JMAC",
        "restricted JMAC incident",
        "restricted SFCG report",
    },
    Sensitivity.CONFIDENTIAL: {
        "public GED",
        "partners note by JMAC",
        "restricted JMAC incident",
        "confidential JMAC incident",
        "restricted SFCG report",
        "confidential SFCG source",
    },
}


@pytest.mark.parametrize("level", sorted(EXPORTABLE))
def test_exports_hold_exactly_the_rows_allowed_up_to_a_level(
    level: Sensitivity, records: dict[str, Event]
) -> None:
    exported = access_exportable(Event.objects.all(), level)
    assert set(exported.values_list("description", flat=True)) == EXPORTABLE[level]
