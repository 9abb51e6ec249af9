"""Each role sees exactly what it may: one table, one row per (person, record) pair."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User

from commonground.core.areas import area_code, ensure_areas
from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.queries import area_by_code, area_list, visible_events
from commonground.registry.models import Presence
from commonground.sharing.models import (
    AuditEvent,
    Licence,
    Organization,
    Role,
    Sensitivity,
    SharingAgreement,
    SharingCircle,
)
from commonground.sharing.policy import (
    AnyUser,
    access_exportable,
    grantable_roles,
    may_import,
    record_denied,
    viewer_for,
)
from commonground.sharing.services import do_add_member, local_organization

pytestmark = pytest.mark.access

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
    ("restricted RFPB note", "femmes-bambari", Sensitivity.RESTRICTED, Licence.OWNER),
]

# Who sees what. SFCG has an agreement giving JMAC its records up to restricted (so not its
# confidential source), and nothing of anyone else's (RFPB's note). "nadia" is a platform
# administrator by membership only, without Django's superuser flag, and "root" a superuser
# with no membership: either alone gives everything.
EXPECTED = {
    "anonymous": {"public GED"},
    "jean": {"public GED", "partners note by JMAC", "restricted RFPB note"},
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
    "root": {label for label, *_ in RECORDS},
}


#: Where each record lies (country, admin-1, admin-2), as an import names it. Only CAR and
#: Ouaka have boundaries that ship with the product; every other place exists because a record
#: names it. The confidential SFCG source lies in Sudan, which nothing else names.
PLACES = {
    "public GED": ("CAF", "Ouaka", "Bambari"),
    "partners note by JMAC": ("CAF", "Partners hill", ""),
    "restricted JMAC incident": ("CAF", "Ouaka", "Restricted ford"),
    "confidential JMAC incident": ("CAF", "Ouaka", "Hidden detention site"),
    "restricted SFCG report": ("CAF", "Report valley", ""),
    "confidential SFCG source": ("SDN", "Secret camp", ""),
    "public ACLED row of JMAC": ("CAF", "Acled town", ""),
    "partners ACLED row of SFCG": ("CAF", "Sfcg acled town", ""),
    "restricted RFPB note": ("CAF", "Rfpb village", ""),
}

#: A presence record of JMAC's, restricted, in a country and places no event names.
PRESENCE_PLACE = ("SSD", "Presence camp", "Presence post")
PRESENCE_SEEN_BY = {"marc", "amina", "admin", "nadia", "root"}

#: Areas whose boundaries ship with the product: everyone may know of them.
REFERENCE = {"CAF", "CAF.ouaka"}


def codes_of(place: tuple[str, str, str]) -> set[str]:
    """The codes of a place and the areas above it."""
    country, admin1, admin2 = place
    codes = {area_code(country)}
    if admin1:
        codes.add(area_code(country, admin1))
    if admin2:
        codes.add(area_code(country, admin1, admin2))
    return codes


@pytest.fixture
def nadia(db: None) -> User:
    """Nadia, a platform administrator by role, without Django's superuser or staff flag; and
    root, a Django superuser with no membership at all."""
    User.objects.create_superuser("root", password="x")  # a test account
    user = User.objects.create_user("nadia", password="x")  # a test account
    do_add_member(user, local_organization(), Role.PLATFORM_ADMIN)
    return user


def person_named(person: str, cast: dict[str, User], nadia: User) -> AnyUser:
    if person == "anonymous":
        return AnonymousUser()
    if person in {"nadia", "root"}:
        return User.objects.get(username=person)
    return cast[person]


@pytest.fixture
def records(cast: dict[str, User]) -> dict[str, Event]:
    orgs = {org.slug: org for org in Organization.objects.all()}
    SharingAgreement.objects.create(
        provider=orgs["sfcg-car"], recipient=orgs["minusca-jmac"], max_sensitivity=2
    )
    # JMAC's partners: the two civil-society and peacebuilding organizations (ADR 0020).
    circle = SharingCircle.objects.create(owner=orgs["minusca-jmac"], slug="partners", name="P")
    circle.members.add(orgs["femmes-bambari"], orgs["sfcg-car"])
    made = {}
    areas = ensure_areas(PLACES.values())
    for n, (label, owner, sensitivity, licence) in enumerate(RECORDS):
        run = ImportRun.objects.create(dataset="test", file_name="policy", sha256="0" * 64)
        admin1, admin2 = areas[PLACES[label]]
        made[label] = Event.objects.create(
            admin1_id=admin1,
            admin2_id=admin2,
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
            country_code=PLACES[label][0],
            priogrid_gid=1,
            violence_type="one_sided",
            fatalities_best=1,
            description=label,
            owner=orgs[owner],
            sensitivity=sensitivity,
            licence=licence,
            circle=circle if (owner, sensitivity) == ("minusca-jmac", 1) else None,
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


@pytest.fixture
def presence(records: dict[str, Event]) -> Presence:
    jmac = Organization.objects.get(slug="minusca-jmac")
    _admin1, admin2 = ensure_areas([PRESENCE_PLACE])[PRESENCE_PLACE]
    return Presence.objects.create(
        source_id="policy-presence",
        organization=jmac,
        actor_kind="UN_mission",
        presence_type="base",
        country_code=PRESENCE_PLACE[0],
        area_id=admin2,
        owner=jmac,
        sensitivity=Sensitivity.RESTRICTED,
    )


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_each_person_knows_of_exactly_the_areas_the_policy_allows(
    person: str, cast: dict[str, User], nadia: User, presence: Presence
) -> None:
    """An area: a shipped boundary, or where a record the person may see lies (or below)."""
    user = person_named(person, cast, nadia)
    expected = set(REFERENCE)
    for label in EXPECTED[person]:
        expected |= codes_of(PLACES[label])
    if person in PRESENCE_SEEN_BY:
        expected |= codes_of(PRESENCE_PLACE)
    assert set(area_list(user).values_list("code", flat=True)) == expected
    for code in codes_of(PRESENCE_PLACE) | codes_of(PLACES["confidential SFCG source"]):
        assert (area_by_code(user, code) is not None) is (code in expected)


def test_withdrawn_events_support_no_area(cast: dict[str, User], records: dict[str, Event]) -> None:
    event = records["public GED"]
    event.withdrawn = True
    event.save()
    assert "CAF.ouaka.bambari" not in set(area_list(None).values_list("code", flat=True))


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
        "restricted RFPB note",
    },
    Sensitivity.CONFIDENTIAL: {
        "public GED",
        "partners note by JMAC",
        "restricted JMAC incident",
        "confidential JMAC incident",
        "restricted SFCG report",
        "confidential SFCG source",
        "restricted RFPB note",
    },
}


@pytest.mark.parametrize("level", sorted(EXPORTABLE))
def test_exports_hold_exactly_the_rows_allowed_up_to_a_level(
    level: Sensitivity, records: dict[str, Event]
) -> None:
    exported = access_exportable(Event.objects.all(), level)
    assert set(exported.values_list("description", flat=True)) == EXPORTABLE[level]


#: (who is denied, the audit event's actor): a signed-in person is named, a visitor is not.
DENIALS = [("jean", "jean"), ("anonymous", None)]


@pytest.mark.parametrize(("person", "actor"), DENIALS)
def test_a_denied_access_is_audited_with_who_what_and_why(
    person: str, actor: str | None, cast: dict[str, User], nadia: User
) -> None:
    record_denied(person_named(person, cast, nadia), "event:42", "not visible under access policy")
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.actor.username if event.actor else None) == actor
    assert event.target == "event:42"
    assert event.detail == {"reason": "not visible under access policy"}


#: Who may import (analysts and above, anywhere; platform administrators).
MAY_IMPORT = {
    "anonymous": False,
    "jean": False,
    "marc": False,
    "amina": True,
    "sofia": True,
    "admin": True,
    "nadia": True,
    "root": True,
}


@pytest.mark.parametrize(("person", "allowed"), sorted(MAY_IMPORT.items()))
def test_who_may_import(person: str, allowed: bool, cast: dict[str, User], nadia: User) -> None:
    user = person_named(person, cast, nadia)
    assert may_import(user) is allowed
    assert viewer_for(user).user_id == (None if person == "anonymous" else user.pk)


#: (person, organization, the roles they may give there): never more than they hold; only a
#: platform administrator gives platform administrator.
GRANTABLE = [
    ("admin", "sfcg-car", list(Role)),
    ("nadia", "sfcg-car", list(Role)),
    ("sofia", "sfcg-car", [Role.VIEWER, Role.PLANNER, Role.ANALYST, Role.ORG_ADMIN]),
    ("sofia", "minusca-jmac", []),
    ("amina", "minusca-jmac", []),
    ("anonymous", "minusca-jmac", []),
]


@pytest.mark.parametrize(("person", "slug", "roles"), GRANTABLE)
def test_the_roles_each_person_may_give(
    person: str, slug: str, roles: list[Role], cast: dict[str, User], nadia: User
) -> None:
    organization = Organization.objects.get(slug=slug)
    assert grantable_roles(person_named(person, cast, nadia), organization.pk) == roles
