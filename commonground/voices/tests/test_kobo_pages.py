"""The KoBo / ODK pages and the survey pages, through the real views; the CLI command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client

from commonground.cli.main import cli
from commonground.sharing.models import Organization
from commonground.voices.demo_kobo import do_demo_kobo
from commonground.voices.kobo_models import FormMapping
from commonground.voices.models import Report, ReportForm
from commonground.voices.survey_models import Indicator, PerceptionResponse, PerceptionSurvey
from commonground.voices.tests.kobo_files import (
    central_table,
    kobo_table,
    submission,
    write_table,
    write_xlsform,
)


def upload(client: Client, tmp_path: Path, name: str = "export.csv", **extra: str) -> str:
    xlsform = write_xlsform(tmp_path / "form.xlsx")
    export = write_table(tmp_path / name, kobo_table([submission(i) for i in range(4)]))
    with xlsform.open("rb") as x, export.open("rb") as e:
        data = {"organization": "femmes-bambari", "form": "kobo", "xlsform": x, "export": e}
        response = client.post("/voices/kobo/", {**data, **extra})
    return response.content.decode()


def test_an_analyst_uploads_checks_the_mapping_and_reimports(
    client: Client, tmp_path: Path, cast: dict[str, User]
) -> None:
    client.force_login(cast["grace"])
    page = upload(client, tmp_path, dry_run="1")
    assert "4 new reports" in page and not Report.objects.exists()
    page = upload(client, tmp_path)
    assert "4 new reports" in page
    assert Report.objects.count() == 4
    mapping = FormMapping.objects.get()
    url = f"/voices/kobo/{mapping.pk}/"
    assert "incident/categorie" in client.get(url).content.decode()
    post = {f"field_{f}": p for f, p in mapping.fields.items()}
    for report_field, choices in mapping.values.items():
        post.update({f"value_{report_field}_{c}": v for c, v in choices.items()})
    post.update({"action": "mapping", "value_category_menace": "hate_speech"})
    assert "Mapping saved" in client.post(url, post).content.decode()
    assert FormMapping.objects.get().values["category"]["menace"] == "hate_speech"
    grown = write_table(tmp_path / "grown.xlsx", central_table([submission(i) for i in range(6)]))
    with grown.open("rb") as e:
        page = client.post(url, {"export": e}).content.decode()
    assert "2 new reports" in page and Report.objects.count() == 6


def test_a_bad_export_on_the_page_names_the_row_and_stores_nothing(
    client: Client, tmp_path: Path, cast: dict[str, User]
) -> None:
    client.force_login(cast["grace"])
    xlsform = write_xlsform(tmp_path / "form.xlsx")
    rows = [submission(i) for i in range(3)]
    rows[1]["personnes/hommes"] = "many"
    export = write_table(tmp_path / "bad.csv", kobo_table(rows))
    with xlsform.open("rb") as x, export.open("rb") as e:
        page = client.post(
            "/voices/kobo/",
            {"organization": "femmes-bambari", "form": "kobo", "xlsform": x, "export": e},
        ).content.decode()
    assert "bad.csv" in page and "personnes/hommes" in page and "row 3" in page
    assert not Report.objects.exists() and not ReportForm.objects.exists()


@pytest.mark.parametrize("who", ["jean", "amina", "admin", None])
def test_others_than_the_owners_analysts_find_no_kobo_page(
    client: Client, tmp_path: Path, cast: dict[str, User], bambari: Organization, who: str | None
) -> None:
    do_demo_kobo(bambari)
    mapping = FormMapping.objects.get()
    if who:
        client.force_login(cast[who])
    assert client.get(f"/voices/kobo/{mapping.pk}/").status_code == 404
    own = client.get("/voices/kobo/")
    if who in ("amina", "admin"):  # analysts elsewhere: their own organizations' forms only
        assert own.status_code == 200 and str(mapping.pk) not in own.content.decode()
        page = upload(client, tmp_path).replace("&#x27;", "'")
        assert "choose the organization" in page and not ReportForm.objects.filter(slug="kobo")
    else:
        assert own.status_code == 404
        assert client.post("/voices/kobo/", {"organization": "femmes-bambari"}).status_code == 404


def test_members_read_indicators_analysts_define_them_others_see_nothing(
    client: Client, cast: dict[str, User], bambari: Organization
) -> None:
    do_demo_kobo(bambari)
    survey = PerceptionSurvey.objects.get()
    url = f"/voices/surveys/{survey.pk}/"
    client.force_login(cast["jean"])
    page = client.get(url).content.decode()
    assert "Feel safe walking to the market" in page and "Synthetic demonstration data" in page
    assert client.post(url, {"label": "x"}).status_code == 404
    client.force_login(cast["grace"])
    client.post(
        url,
        {
            "label": "Trust MINUSCA at all",
            "question": "confiance/minusca",
            "success_values": "beaucoup un_peu",
        },
    )
    assert Indicator.objects.filter(label="Trust MINUSCA at all").exists()
    for who in ("amina", "admin"):
        client.force_login(cast[who])
        assert client.get(url).status_code == 404
        assert survey.title not in client.get("/voices/surveys/").content.decode()


def test_the_demo_is_synthetic_and_idempotent(bambari: Organization) -> None:
    first = do_demo_kobo(bambari)
    assert first[1] == 800
    assert do_demo_kobo(bambari) == (0, 0)
    assert PerceptionResponse.objects.filter(is_synthetic=False).count() == 0
    assert Report.objects.filter(is_synthetic=False).count() == 0


def test_cli_import_kobo_then_nothing_new(tmp_path: Path, cast: dict[str, User]) -> None:
    xlsform = write_xlsform(tmp_path / "form.xlsx")
    export = write_table(tmp_path / "e.csv", kobo_table([submission(i) for i in range(3)]))
    args = ["voices", "import-kobo", "femmes-bambari", "kobo", str(xlsform), str(export)]
    dry = CliRunner().invoke(cli, [*args, "--dry-run"])
    assert dry.exit_code == 0 and "would add 3" in dry.output
    assert not ReportForm.objects.exists()
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "added 3 reports" in first.output
    again = CliRunner().invoke(cli, args)
    assert "added 0 reports, 3 already stored" in again.output
    bad = write_table(tmp_path / "bad.csv", [["other/q", "meta/instanceID"], ["x", "uuid:1"]])
    refused = CliRunner().invoke(cli, [*args[:-1], str(bad)])
    assert refused.exit_code != 0 and "bad.csv, row 1, column 'other/q'" in refused.output


#: Who reaches the Bambari network's KoBo mapping page and survey page (else: 404, as missing).
PAGE_TABLE = {
    "grace": (200, 200),  # analyst of the owner
    "clarisse": (200, 200),  # organization administrator of the owner
    "jean": (404, 200),  # viewer of the owner: indicators, never the channel
}


@pytest.mark.access
def test_every_cast_member_on_the_kobo_and_survey_pages(
    client: Client, cast: dict[str, User], bambari: Organization
) -> None:
    from commonground.testing.cast import CAST

    do_demo_kobo(bambari)
    mapping_url = f"/voices/kobo/{FormMapping.objects.get().pk}/"
    survey_url = f"/voices/surveys/{PerceptionSurvey.objects.get().pk}/"
    for who in [member.username for member in CAST] + [None]:
        client.logout()
        if who:
            client.force_login(cast[who])
        expected = PAGE_TABLE.get(who or "", (404, 404))
        got = (client.get(mapping_url).status_code, client.get(survey_url).status_code)
        assert got == expected, who
        if expected[1] == 404:
            listing = client.get("/voices/surveys/")
            assert (
                "perceptions" not in listing.content.decode().lower() or listing.status_code == 404
            )


def test_the_demo_hook_places_the_survey_on_ouaka_areas(
    ged_run: object, bambari: Organization
) -> None:
    """With the CAR file imported (as ``commonground demo`` does), respondents live in Ouaka."""
    from commonground.voices.demo_kobo import do_demo_kobo_for_demo

    assert do_demo_kobo_for_demo()[1] == 800
    codes = set(PerceptionResponse.objects.exclude(area=None).values_list("area__code", flat=True))
    assert codes and all(code.startswith("CAF.ouaka.") for code in codes)
    assert not PerceptionResponse.objects.filter(area=None).exists()


def test_estimates_name_their_groups_in_words_in_both_languages(
    client: Client, cast: dict[str, User], bambari: Organization
) -> None:
    do_demo_kobo(bambari)
    url = f"/voices/surveys/{PerceptionSurvey.objects.get().pk}/"
    client.force_login(cast["grace"])
    english = client.get(url).content.decode()
    assert "Sex: women" in english and "Age group: 18-24" in english
    assert "sex: female" not in english and "age_group" not in english
    french = client.get(f"{url}?lang=fr").content.decode()
    assert "Sexe: femmes" in french and "Tranche d\u2019âge: 18-24" in french
    assert "Intervalle à 95 %" in french  # the per cent strings read in French too
