"""The command line in French and English: chosen from the environment, real runs of the command.

The French is the .po's; the rejected file is the real GED extract with one cell changed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from django.conf import settings
from django.utils import translation

from commonground.cli.language import (
    CLICK_HEADINGS,
    HELP_OPTION_HELP,
    cli_language,
    help_texts,
    walk,
)
from commonground.cli.main import cli
from commonground.events.models import Event
from commonground.sharing.services import local_organization

#: Every variable that chooses the language, unset unless a test sets it (the machine's own
#: locale must not decide what a test reads).
LANGUAGE_VARIABLES = ("COMMONGROUND_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def run(*args: str, **env: str) -> tuple[int, str, str]:
    environment: dict[str, str | None] = dict.fromkeys(LANGUAGE_VARIABLES)
    environment.update(env)
    result = CliRunner().invoke(
        cli, list(args), env=environment, catch_exceptions=False, prog_name="commonground"
    )
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """The text with each run of spaces, no-break spaces and line breaks made one space (rich
    and click wrap lines; the French puts a no-break space before a colon)."""
    return " ".join(text.split())


SUPPORTED = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA"}, "fr"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US"}, "en"),
        ({}, "en"),
        ({"COMMONGROUND_LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "fr"),
        ({"COMMONGROUND_LANGUAGE": "en", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"COMMONGROUND_LANGUAGE": "de", "LANG": "fr_FR.UTF-8"}, "fr"),  # not ours: the locale
        ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "fr_FR", "LANG": "fr_FR"}, "en"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "", "LANG": "fr_FR.UTF-8"}, "fr"),  # set but empty: ignored
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "de:fr"}, "fr"),  # LANGUAGE wins over the locale
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "en"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "de"}, "en"),  # gettext: no catalog, the msgid
        ({"LANG": "C", "LANGUAGE": "fr"}, "en"),  # the C locale: LANGUAGE is ignored
        ({"LANGUAGE": "fr"}, "en"),  # no locale is the C locale
    ],
)
def test_the_language_follows_the_environment(env: dict[str, str], expected: str) -> None:
    assert cli_language(env, SUPPORTED, "en") == expected


@pytest.mark.parametrize(
    ("env", "french"),
    [
        ({"LANG": "fr_FR.UTF-8"}, True),
        ({"LANG": "fr_CA"}, True),
        ({"LANG": "C"}, False),
        ({"LANG": "en_US"}, False),
        ({}, False),
        ({"COMMONGROUND_LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, True),
    ],
)
def test_the_command_speaks_the_chosen_language(env: dict[str, str], french: bool) -> None:
    code, out, _err = run("--help", **env)
    assert code == 0
    if french:
        assert out.startswith("Utilisation\u00a0: commonground")
        assert "Afficher ce message et quitter." in out
    else:
        assert out.startswith("Usage: commonground")
        assert "Show this message and exit." in out


def test_root_help_in_french() -> None:
    code, out, _err = run("--help", LANG="fr_FR.UTF-8")
    assert code == 0
    text = flat(out)
    assert "Common Ground : une image commune, fiable et sûre d\u2019une zone de conflit." in text
    assert "Options : --version Afficher la version et quitter." in text
    assert "Commandes : alerts" in text
    assert "import Importer PATH comme DATASET" in text
    assert "Show" not in out and "Commands" not in out


@pytest.mark.django_db  # a subcommand's --help runs the group's database check
def test_import_help_in_french() -> None:
    code, out, _err = run("import", "--help", COMMONGROUND_LANGUAGE="fr")
    assert code == 0
    text = flat(out)
    assert text.startswith("Utilisation : commonground import [OPTIONS]")
    assert "Importer PATH comme DATASET, tout ou rien ; réimporter le même fichier" in text
    assert "--dry-run Vérifier le fichier et montrer ce qui serait ajouté" in text
    assert "--quiet Pas de barre de progression." in text
    assert "-h, --help Afficher ce message et quitter." in text


@pytest.mark.django_db  # a subcommand's --help runs the group's database check
def test_click_defaults_and_required_in_french() -> None:
    code, out, _err = run("imports", "list", "--help", LANG="fr_FR.UTF-8")
    assert code == 0
    assert "[par défaut : 20; 1<=x<=10000]" in flat(out)
    code, out, _err = run("token", "create", "--help", LANG="fr_FR.UTF-8")
    assert "[obligatoire]" in flat(out)


@pytest.mark.django_db  # a subcommand's --help runs the group's database check
def test_a_french_run_leaves_the_help_in_english() -> None:
    """The help texts are put back in the language active before the run."""
    run("--help", LANG="fr_FR.UTF-8")
    code, out, _err = run("import", "--help")
    assert code == 0
    assert "Import PATH as DATASET, all or nothing" in out
    assert translation.get_language() == "en"
    assert cli.commands["import"].help is not None
    assert cli.commands["import"].help.startswith("Import PATH as DATASET")


def every_help_text() -> list[tuple[str, str]]:
    texts = help_texts(cli)
    texts += [(f"click heading {english!r}", msgid) for english, msgid in CLICK_HEADINGS.items()]
    texts += [("click help option", HELP_OPTION_HELP), ("click usage", "Usage:")]
    texts += [("click default", "default: %(value)s"), ("click required", "required")]
    return texts


def test_every_help_text_has_a_french_translation() -> None:
    """No command, group or option ships English-only: each help text, as written, has a French
    translation that differs from it (a new command without French fails here)."""
    texts = every_help_text()
    commands = list(walk(cli))
    assert len(commands) > 30  # the tree was walked, nested groups included
    assert len(texts) > 80
    untranslated = []
    for where, english in texts:
        with translation.override("fr"):
            french = translation.gettext(english)
        if french == english:
            untranslated.append(f"{where}: {english!r}")
    assert untranslated == []


def test_every_command_has_a_help_text() -> None:
    """A command without help would show nothing, in either language."""
    missing = [command.name for command in walk(cli) if not command.help]
    assert missing == []
    options = [
        f"{command.name} {param.name}"
        for command in walk(cli)
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert options == []


def _ged_with_bad_cell(data_dir: Path, target: Path) -> Path:
    """The real GED extract's first three records, the second with ``best`` = ``many``."""
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _n, row in zip(range(3), reader, strict=False)]
        header = list(reader.fieldnames or [])
    rows[1]["best"] = "many"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


@pytest.mark.django_db
def test_rejected_import_in_french_names_file_row_column_and_reason(
    data_dir: Path, tmp_path: Path
) -> None:
    bad = _ged_with_bad_cell(data_dir, tmp_path / "ged_23_1_bad.csv")
    code, _out, err = run("import", "ged", str(bad), "--quiet", LANG="fr_FR.UTF-8")
    assert code == 2
    text = flat(err)
    assert f"{bad} refusé : rien n\u2019a été modifié." in text
    assert "ged_23_1_bad.csv, ligne 3, colonne 'best' : 'many' n'est pas un nombre entier" in text
    assert "Rejected" not in err and "row" not in err and "nothing" not in err
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_rejected_import_in_english_by_default(data_dir: Path, tmp_path: Path) -> None:
    bad = _ged_with_bad_cell(data_dir, tmp_path / "ged_23_1_bad.csv")
    code, _out, err = run("import", "ged", str(bad), "--quiet", LANG="C.UTF-8")
    assert code == 2
    text = flat(err)
    assert f"Rejected {bad}: nothing was changed." in text
    assert "ged_23_1_bad.csv, row 3, column 'best': 'many' is not a whole number" in text


@pytest.mark.django_db
def test_import_summary_and_stats_in_french_json_stays_english(data_dir: Path) -> None:
    path = str(data_dir / "ged_23_1_CAF.csv")
    code, _out, err = run("import", "ged", path, "--quiet", LANG="fr_FR.UTF-8")
    assert code == 0
    assert "lus" in err and "ajoutés" in err and "doublons probables" in err
    rows = Event.objects.count()
    assert rows > 1000
    french_count = f"{rows // 1000}\u00a0{rows % 1000:03d}"  # 2 171, not 2,171
    assert french_count in err
    code, out, _err = run("stats", LANG="fr_FR.UTF-8")
    assert code == 0
    assert "événements" in out and "décès de civils" in out and french_count in out
    code, out, _err = run("stats", "--json", LANG="fr_FR.UTF-8")
    figures = json.loads(out)
    assert figures["events"] == rows  # machine-readable: English keys, plain numbers
    assert "civilian_deaths" in figures
    code, out, _err = run("imports", "list", "--json", LANG="fr_FR.UTF-8")
    assert json.loads(out)[0]["state"] == "succeeded"


@pytest.mark.django_db
def test_shred_asks_for_confirmation_in_french() -> None:
    slug = local_organization().slug
    code, _out, err = run("voices", "shred", slug, LANG="fr_FR.UTF-8")
    assert code == 1
    assert (
        f"la destruction efface la clé de {slug} : ses signalements ne pourront plus jamais "
        "être lus. Relancez avec --yes pour confirmer."
    ) in flat(err)


@pytest.mark.django_db
def test_unknown_organization_in_french() -> None:
    code, _out, err = run("voices", "export", "nope", "--out", "x.jsonl", LANG="fr_FR.UTF-8")
    assert code == 1
    assert "aucune organisation 'nope'" in err


#: The command line's modules: every message they print is marked for translation.
CLI_MODULES = (
    "cli/main.py",
    "cli/language.py",
    "cli/output.py",
    "cli/setup.py",
    "cli/forecast.py",
    "cli/forecast_output.py",
    "alerts/cli.py",
    "voices/cli.py",
    "voices/channels_cli.py",
)
#: Messages French writes the same way.
SAME_IN_FRENCH = {"imports"}


def marked_messages() -> list[tuple[str, str, str | None]]:
    """(module, msgid, plural msgid) of every `_`, `gettext`, `gettext_noop` or `ngettext` call
    with a literal message in the command line's modules, f-strings included (xgettext skips
    those)."""
    import ast

    import commonground

    root = Path(commonground.__file__).parent
    found = []
    for module in CLI_MODULES:
        tree = ast.parse((root / module).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id not in {"_", "gettext", "gettext_noop", "ngettext"}:
                continue
            texts = [
                argument.value
                for argument in node.args[: 2 if node.func.id == "ngettext" else 1]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            ]
            if texts:
                found.append((module, texts[0], texts[1] if len(texts) > 1 else None))
    return found


def test_every_message_of_the_command_line_has_french() -> None:
    messages = marked_messages()
    assert len(messages) > 150
    untranslated = []
    for module, english, plural in messages:
        with translation.override("fr"):
            if plural is None:
                french = [translation.gettext(english)]
            else:
                french = [translation.ngettext(english, plural, n) for n in (1, 2)]
        if set(french) & {english, plural} and english not in SAME_IN_FRENCH:
            untranslated.append(f"{module}: {english!r}")
    assert untranslated == []
