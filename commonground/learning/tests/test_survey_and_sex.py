"""Indicators on released perception-survey tables (through the disclosure gate only), values
split by sex where the data has a sex dimension, and the TLP marking of the IATI export.

The survey and its respondents are SYNTHETIC (made in code by the voices demo helpers); the
programme's events and presence are the real files of the demo fixture. Expected values are
recomputed here from the gate's released table for the same viewer.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from commonground.core.models import Area
from commonground.learning import compute, iati
from commonground.learning.models import Desired, Indicator, IndicatorValue, Programme, Source
from commonground.learning.services import do_save_indicator
from commonground.sharing import gate
from commonground.sharing.markings import strictest, tlp_label
from commonground.sharing.models import Organization
from commonground.sharing.policy import viewer_for
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import make_synthetic
from commonground.sharing.tests.test_gate_surveys import make_survey
from commonground.voices.demo_kobo import synthetic_response
from commonground.voices.survey_models import Indicator as SurveyIndicator
from commonground.voices.survey_models import PerceptionSurvey
from commonground.voices.surveys import SURVEY_SEX_TABLE, SURVEY_TABLE, import_survey_rows

pytestmark = pytest.mark.django_db

OWNER = "femmes-bambari"
#: The fieldwork month the indicator states for each round (rounds store no dates).
ROUND_MONTHS = {"1": "2024-03", "2": "2024-09"}
CG = "{https://commonground.example/ns}"


@pytest.fixture
def survey(cast: dict[str, User], settings: LazySettings, tmp_path: Path) -> PerceptionSurvey:
    """The network's SYNTHETIC survey: round 1 as in the gate tests, a second round, and a
    third round whose fieldwork month no indicator states."""
    settings.COMMONGROUND_HOME = tmp_path
    make_synthetic(cast, bulk=0)  # the network's circle: JMAC, the army liaison, OCHA
    survey = make_survey(tmp_path, bulk=80)
    rng = random.Random(11)
    for number in (2, 3):
        rows = [synthetic_response(1000 * number + i, number, ["bambari"], rng) for i in range(80)]
        import_survey_rows(survey, number, rows, f"synthetic-round-{number}.csv")
    return survey


def code_of(survey: PerceptionSurvey) -> str:
    indicator = SurveyIndicator.objects.get(survey=survey)
    return f"{survey.slug}.{indicator.slug}"


def survey_indicator(
    survey: PerceptionSurvey, level: int = 2, by_sex: bool = False, area: Area | None = None
) -> Indicator:
    return do_save_indicator(
        None,
        Organization.objects.get(slug="minusca-jmac"),
        f"feel-safe-{level}-{by_sex}",
        name="Share who feel safe at the market",
        name_fr="Part qui se sent en sécurité au marché",
        source=Source.SURVEY_RELEASED,
        kind=OWNER,
        survey_indicator=code_of(survey),
        round_months=ROUND_MONTHS,
        level=level,
        unit="%",
        desired=Desired.INCREASE,
        by_sex=by_sex,
        area=area,
    )


def released_to(user: User, survey: PerceptionSurvey) -> gate.ReleasedTable:
    """The survey table as the gate releases it to ``user`` (their own route)."""
    route = gate.release_routes(viewer_for(user))[OWNER]
    return gate.release(
        SURVEY_TABLE,
        route.owner,
        recipient=user,
        organization=route.organization,
        circle=route.circle,
    )


def expected_shares(
    released: gate.ReleasedTable, code: str, depth: int
) -> dict[tuple[str, str], float]:
    """(area code or "", month) -> 100 x yes / (yes + no) where both leaves are released."""
    leaves: dict[tuple[tuple[str, ...], str], dict[str, float]] = {}
    for c in released.cells:
        answer, area = c.cell
        if len(answer) != 3 or answer[0] != code or len(area) != depth:
            continue
        if c.status != gate.RELEASED or c.value is None or "other" in area:
            continue
        number = answer[1][len(code) + 2 :]
        leaves.setdefault((area, number), {})[answer[2].rsplit(".", 1)[1]] = float(c.value)
    found = {}
    for (area, number), counts in leaves.items():
        if number in ROUND_MONTHS and {"yes", "no"} <= set(counts):
            total = counts["yes"] + counts["no"]
            if total:
                found[(area[-1] if area else "", ROUND_MONTHS[number])] = (
                    100 * counts["yes"] / total
                )
    return found


@pytest.mark.parametrize("level", [1, 2])
def test_released_survey_shares_per_area_and_round_equal_the_gate_table(
    survey: PerceptionSurvey, cast: dict[str, User], level: int
) -> None:
    indicator = survey_indicator(survey, level)
    expected = expected_shares(released_to(cast["amina"], survey), code_of(survey), level)
    assert expected  # the gate releases some cells of these respondents
    before = Release.objects.filter(table=SURVEY_TABLE.slug).count()
    table = compute.indicator_table(indicator, cast["amina"])
    got = {(a, f"{m:%Y-%m}"): v for a, m, v, _w, _m in table.iter_rows()}
    assert got == pytest.approx(expected)
    assert all(0 <= v <= 100 for v in got.values())
    logged = Release.objects.filter(table=SURVEY_TABLE.slug).order_by("-at", "-id")
    assert logged.count() == before + 1
    assert logged[0].recipient == cast["amina"] and logged[0].channel == "indicator"


def test_a_suppressed_survey_cell_stays_suppressed_and_an_undated_round_is_left_out(
    survey: PerceptionSurvey, cast: dict[str, User]
) -> None:
    released = released_to(cast["amina"], survey)
    code = code_of(survey)
    kouango = [c for c in released.cells if c.cell[1][-1:] == ("CAF.ouaka.kouango",) and c.cell[0]]
    assert kouango and all(c.status != gate.RELEASED for c in kouango)  # one respondent
    indicator = survey_indicator(survey)
    area = Area.objects.get(code="CAF.ouaka.kouango")
    assert compute.indicator_series(indicator, cast["amina"], area) == {}  # not 0, not guessed
    table = compute.indicator_table(indicator, cast["amina"])
    assert "CAF.ouaka.kouango" not in table["area"].to_list()
    country = compute.indicator_series(indicator, cast["amina"])
    assert {f"{m:%Y-%m}": v for m, v in country.items()} == pytest.approx(
        {m: v for (_a, m), v in expected_shares(released, code, 0).items()}
    )
    # Round 3 has released cells but no stated fieldwork month: it is in no month.
    assert any(len(c.cell[0]) == 3 and c.cell[0][1] == f"{code}.r3" for c in released.cells)
    assert set(country) <= {datetime.date(2024, 3, 1), datetime.date(2024, 9, 1)}


@pytest.mark.parametrize("who", ["jean", "grace"])
def test_the_owner_s_people_get_the_released_figures_not_the_responses(
    survey: PerceptionSurvey, cast: dict[str, User], who: str
) -> None:
    """Jean (the owner's viewer) may not read the responses, Grace (its analyst) may: both get
    the released, perturbed counts' share, never a figure computed from the responses."""
    indicator = survey_indicator(survey)
    expected = expected_shares(released_to(cast[who], survey), code_of(survey), 2)
    table = compute.indicator_table(indicator, cast[who])
    got = {(a, f"{m:%Y-%m}"): v for a, m, v, _w, _m in table.iter_rows()}
    assert got == pytest.approx(expected)
    assert Release.objects.filter(recipient=cast[who], channel="indicator").exists()


@pytest.mark.parametrize("who", [None, "sofia"])
def test_a_viewer_without_a_route_gets_no_survey_data_and_nothing_is_logged(
    survey: PerceptionSurvey, cast: dict[str, User], who: str | None
) -> None:
    indicator = survey_indicator(survey)
    user = cast[who] if who else None
    before = Release.objects.count()
    assert compute.indicator_table(indicator, user).is_empty()
    assert compute.indicator_series(indicator, user) == {}
    assert Release.objects.count() == before


def test_a_round_month_that_is_not_a_month_is_refused_and_nothing_is_written(
    survey: PerceptionSurvey,
) -> None:
    owner = Organization.objects.get(slug="minusca-jmac")
    for bad in ({"1": "March 2024"}, {"one": "2024-03"}, {"1": "2024-13"}, ["2024-03"]):
        with pytest.raises(ValidationError) as refused:
            do_save_indicator(
                None,
                owner,
                "bad-rounds",
                name="x",
                source=Source.SURVEY_RELEASED,
                kind=OWNER,
                survey_indicator=code_of(survey),
                round_months=bad,
            )
        assert "round" in str(refused.value)
    assert not Indicator.objects.filter(slug="bad-rounds").exists()


def test_the_indicator_page_and_api_show_released_survey_figures_and_each_sex_from_the_sex_table(
    client: Client, survey: PerceptionSurvey, cast: dict[str, User]
) -> None:
    indicator = survey_indicator(survey, by_sex=True)
    split = compute.sex_series(indicator, cast["amina"])
    assert split is not None
    # Recomputed here from the released sex table the gate gives amina: 100 x yes / (yes + no)
    # per round and sex, only where both cells are released (suppressed: no data).
    expected: dict[str, dict[datetime.date, float]] = {"women": {}, "men": {}}
    route = gate.release_routes(viewer_for(cast["amina"]))[OWNER]
    released = gate.release(
        SURVEY_SEX_TABLE,
        route.owner,
        recipient=cast["amina"],
        organization=route.organization,
        circle=route.circle,
    )
    values = {gate.cell_id(c.cell): c.value for c in released.cells if c.status == gate.RELEASED}
    code = code_of(survey)
    for number, month in ROUND_MONTHS.items():
        for sex in ("women", "men"):
            stem = f"{code}/{code}.r{number}/{code}.r{number}"
            yes, no = values.get(f"{stem}.yes|{sex}"), values.get(f"{stem}.no|{sex}")
            if yes is not None and no is not None:
                day = datetime.date.fromisoformat(f"{month}-01")
                expected[sex][day] = 100 * yes / (yes + no)
    assert split == {sex: pytest.approx(found) for sex, found in expected.items()}
    assert split["women"] and split["men"]  # the SYNTHETIC survey is big enough to show both
    suppressed = [
        gate.cell_id(c.cell) for c in released.cells if c.status != gate.RELEASED
    ]  # round 3 states no month: no data; a suppressed cell: no data, never 0
    assert all(0 < v < 100 for found in split.values() for v in found.values()), suppressed
    client.force_login(cast["amina"])
    page = client.get(f"/learning/indicators/{indicator.slug}/").content.decode()
    assert "Perception survey (released figures)" in page
    assert 'data-round="1"' in page and "2024-03" in page
    assert 'data-sex-month="2024-03"' in page and 'data-sex="none"' not in page
    french = client.get(f"/learning/indicators/{indicator.slug}/?lang=fr").content.decode()
    assert "Enquête de perception (chiffres publiés)" in french
    series = client.get(f"/api/v1/learning/indicators/{indicator.slug}/series").json()
    assert series["sex_split"] is True
    women = {v["month"]: v["women"] for v in series["values"] if v["women"] is not None}
    assert women == {m.isoformat(): pytest.approx(v) for m, v in expected["women"].items()}
    values_out = client.get(f"/api/v1/learning/indicators/{indicator.slug}/values").json()
    table = compute.indicator_table(indicator, cast["amina"])
    assert [(v["area"], v["value"]) for v in values_out] == [
        (a, pytest.approx(v)) for a, v in table.select("area", "value").iter_rows()
    ]
    # The values per area have no sex: the sex table is for all areas together.
    assert all(v["women"] is None and v["men"] is None for v in values_out)


def test_a_released_survey_indicator_for_one_area_has_no_sex_split_and_says_why(
    client: Client, survey: PerceptionSurvey, cast: dict[str, User]
) -> None:
    area = Area.objects.get(code="CAF.ouaka.bambari")
    indicator = survey_indicator(survey, by_sex=True, area=area)
    assert compute.sex_series(indicator, cast["amina"], area) is None
    client.force_login(cast["amina"])
    page = client.get(f"/learning/indicators/{indicator.slug}/").content.decode()
    assert 'data-sex="none"' in page and "all areas together" in page
    french = client.get(f"/learning/indicators/{indicator.slug}/?lang=fr").content.decode()
    assert "toutes zones confondues" in french


def test_released_community_reports_have_no_sex_dimension_and_the_page_says_so(
    client: Client, survey: PerceptionSurvey, cast: dict[str, User]
) -> None:
    indicator = do_save_indicator(
        None,
        Organization.objects.get(slug="minusca-jmac"),
        "reports-by-sex",
        name="Reports",
        source=Source.VOICES_RELEASED,
        kind=OWNER,
        level=2,
        by_sex=True,
    )
    assert compute.sex_series(indicator, cast["amina"]) is None
    client.force_login(cast["amina"])
    page = client.get(f"/learning/indicators/{indicator.slug}/").content.decode()
    assert 'data-sex="none"' in page and "no sex dimension" in page


# --- Hand-entered values by sex, and the IATI export ---------------------------------------------


def test_hand_entered_values_give_each_sex_its_series_on_the_page_and_in_the_api(
    client: Client, demo: Programme, cast: dict[str, User]
) -> None:
    sessions = Indicator.objects.get(slug="sfcg-dialogue-participants")
    split = compute.sex_series(sessions, cast["sofia"])
    assert split is not None
    stored = IndicatorValue.objects.filter(indicator=sessions, area=None)
    assert split["women"] == {v.month: v.women for v in stored}
    assert split["men"] == {v.month: v.men for v in stored}
    client.force_login(cast["sofia"])
    page = client.get(f"/learning/indicators/{sessions.slug}/").content.decode()
    latest = max(stored, key=lambda v: v.month)
    row = f'data-sex-month="{latest.month:%Y-%m}"'
    assert row in page
    line = page[page.index(row) : page.index("</tr>", page.index(row))]
    assert f">{latest.women:g}<" in line.replace(".0<", "<")
    assert f">{latest.men:g}<" in line.replace(".0<", "<")
    answer = client.get(f"/api/v1/learning/programmes/{demo.slug}").json()
    out = next(i for i in answer["indicators"] if i["slug"] == sessions.slug)
    assert out["by_sex"] is True and out["sex_split"] is True
    series = client.get(f"/api/v1/learning/indicators/{sessions.slug}/series").json()
    assert series["sex_split"] is True and series["area"] is None
    assert series["values"][-1] == {
        "month": f"{latest.month}",
        "value": latest.value,
        "women": latest.women,
        "men": latest.men,
    }


def test_iati_actuals_carry_a_sex_dimension_and_the_export_its_tlp_marking(
    demo: Programme, cast: dict[str, User]
) -> None:
    client = Client()
    client.force_login(cast["sofia"])
    answer = client.get(f"/learning/programmes/{demo.slug}/iati.xml")
    document = answer.content
    assert iati.validate(document) == []
    root = etree.fromstring(document)
    sessions = Indicator.objects.get(slug="sfcg-dialogue-participants")
    element = next(
        i for i in root.iter("indicator") if i.findtext("title/narrative") == sessions.name
    )
    stored = IndicatorValue.objects.filter(indicator=sessions, area=None)
    for period in element.iter("period"):
        year = int(period.find("period-start").get("iso-date")[:4])
        months = [v for v in stored if v.month.year == year]
        actuals = period.findall("actual")
        by_dimension = {
            (a.find("dimension").get("value") if a.find("dimension") is not None else None): a
            for a in actuals
        }
        assert set(by_dimension) == {None, "female", "male"}
        for value, sex in (("female", "women"), ("male", "men")):
            dimension = by_dimension[value].find("dimension")
            assert dimension.get("name") == "sex"
            mean = sum(getattr(v, sex) for v in months) / len(months)
            assert float(by_dimension[value].get("value")) == pytest.approx(mean, rel=1e-3)
    # No split where the indicator has none.
    others = [i for i in root.iter("indicator") if i is not element]
    assert others and not any(o.find(".//dimension") is not None for o in others)
    # The marking: the strictest of the programme and the indicators that went in.
    names = {i.findtext("title/narrative") for i in root.iter("indicator")}
    shown = [i for i in Indicator.objects.filter(programme=demo) if i.name in names]
    marking = strictest([demo.sensitivity, *[i.sensitivity for i in shown]])
    assert marking == tlp_label(max(demo.sensitivity, *[i.sensitivity for i in shown]))
    activities = root.findall("iati-activity")
    assert activities and all(a.get(f"{CG}tlp") == marking for a in activities)
    assert root.get(f"{CG}tlp") == marking
    assert any(marking in c.text for c in root.xpath("//comment()"))


def test_a_tlp_attribute_outside_a_namespace_breaks_the_schema(
    demo: Programme, cast: dict[str, User]
) -> None:
    """Why the marking is namespaced: IATI's own elements take no foreign bare attribute."""
    client = Client()
    client.force_login(cast["sofia"])
    root = etree.fromstring(client.get(f"/learning/programmes/{demo.slug}/iati.xml").content)
    activity = root.find("iati-activity")
    activity.set("tlp", "TLP:AMBER")  # an attribute in IATI's own (no) namespace: invalid
    assert iati.validate(etree.tostring(root)) != []
