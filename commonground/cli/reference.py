"""Generate ``docs/cli.md`` from the commands' own ``--help`` (run by ``make docs``).

A test compares the committed file with this output, so an undocumented command fails CI.
"""

from __future__ import annotations

import click

from commonground.cli.language import english_help
from commonground.cli.main import cli

LANGUAGE_SECTION = """## Language / Langue

The command speaks English or French. It takes the first of:

1. `COMMONGROUND_LANGUAGE`: `en` or `fr`.
2. The locale, read as GNU gettext reads it (gettext manual, "Locale Environment Variables"
   and "The LANGUAGE variable"): the locale is the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
   that is set and not empty. Under `C` or `POSIX` (or with none set) the command speaks
   English and `LANGUAGE` is ignored. Otherwise `LANGUAGE`, a priority list such as `de:fr`,
   wins with its first entry that is `en` or `fr`; without it, the locale's language is used
   (`fr_FR.UTF-8`, `fr_CA`: French; `de_DE`: English).
3. English.

Translated: every message, error and refusal, the importers' problems (file, row, column,
reason), table titles and headers, progress labels, the confirmation `voices shred` asks for,
and the help texts below together
with click's headings (`Usage:`, `Options:`, `Commands:`, `default`, `required`). Counts in
tables are written as the language writes them (`1,234`; `1 234` in French).

Still English: click's own error framing (`Error:`, `Try '... --help' for help.`,
`Invalid value`, `Missing argument`, `Aborted!`), for which click ships no French catalog, and
the output of Django's own commands (`commonground manage ...`, the static files summary).

Never translated: machine-readable output. `--json`, the CSV, GeoJSON and HXL exports, the JSON
lines of `voices export` and `forecast run`, keep English keys and values in every language,
so that scripts read them the same way everywhere.

```
LANG=fr_FR.UTF-8 commonground import ged ged_23_1_CAF.csv
COMMONGROUND_LANGUAGE=fr commonground import --help
```

En français : la commande parle la langue de `COMMONGROUND_LANGUAGE` (`en` ou `fr`), sinon celle
de la locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, puis `LANGUAGE` comme GNU gettext), sinon
l'anglais. Les sorties pour les machines (`--json`, CSV, lignes JSON) restent en anglais.
Ce fichier reproduit l'aide en anglais ; `COMMONGROUND_LANGUAGE=fr commonground COMMANDE --help`
l'affiche en français.
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def reference() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `make docs`; a test fails when this file is out of date.",
        "",
        LANGUAGE_SECTION,
    ]
    with english_help(cli):
        lines += _commands()
    return "\n".join(lines)


def _commands() -> list[str]:
    lines: list[str] = []
    for path, command in _walk(cli, ["commonground"]):
        context = click.Context(
            command,
            info_name=" ".join(path),
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        lines += [f"## `{' '.join(path)}`", "", "```", command.get_help(context), "```", ""]
    return lines


if __name__ == "__main__":
    print(reference(), end="")
