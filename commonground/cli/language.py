"""The command line's language: French or English, chosen from the environment.

The web app reads the browser's language; the command line reads the environment, the way
programs translated with GNU gettext do, so an operator whose terminal is French reads French.
Machine-readable output (``--json``, CSV, JSON lines) is never translated: its keys are an
interface (docs/cli.md, "Language / Langue").

Help texts are marked with ``gettext_noop`` where the commands are declared (click reads them
at import, before the language is known) and translated by :func:`localize_help` once the
language is active. :class:`LocalizedGroup` does both around the whole run of the root group.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from django.utils.translation import gettext, ngettext

if TYPE_CHECKING:
    from commonground.core.importing import ImportRejected, Problem


def gettext_noop(message: str) -> str:
    """Marks ``message`` for translation (``makemessages`` extracts calls of this name) and
    returns it as written. Django's own ``gettext_noop`` reads the settings, which are not
    loaded yet when click builds the commands at import."""
    return message


#: Click's own headings in a help page (click translates them only through a "click" gettext
#: catalog, which click does not ship in French): the English click prints, and our msgid.
CLICK_HEADINGS = {
    "Options": gettext_noop("Options:"),
    "Commands": gettext_noop("Commands:"),
    "Positional arguments": gettext_noop("Positional arguments:"),
}
HELP_OPTION_HELP = gettext_noop("Show this message and exit.")
VERSION_OPTION_HELP = gettext_noop("Show the version and exit.")

#: Locale names that mean "no language": the portable C locale (GNU gettext then shows the
#: messages as written, in English, and ignores LANGUAGE).
C_LOCALES = frozenset({"c", "posix"})


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()


def _language_of(value: str) -> str:
    """``fr`` of ``fr_FR.UTF-8``, ``fr_CA``, ``fr-CA``, ``fr@euro``; ``c`` of ``C.UTF-8``."""
    return re.split(r"[_.@-]", value.strip(), maxsplit=1)[0].lower()


def cli_language(environ: Mapping[str, str], supported: Sequence[str], default: str) -> str:
    """The language the command line speaks, one of ``supported``.

    1. ``COMMONGROUND_LANGUAGE`` (``en`` or ``fr``; ``fr_FR`` works too), when it names a
       supported language: the project's own setting wins over the system's.
    2. Else the POSIX locale of messages, as GNU gettext finds it (gettext manual, 2.3.2
       "Locale Environment Variables" and 2.3.3 "The LANGUAGE variable"): the first of
       ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set and not empty is the locale. If that
       locale is ``C``/``POSIX`` (or none is set, which is the C locale), the messages are
       English and ``LANGUAGE`` is ignored ("the variable LANGUAGE is ignored if the locale is
       set to 'C'"; glibc's ``guess_category_value`` does this since 2001). Otherwise
       ``LANGUAGE``, a colon-separated priority list, wins over the locale: its first entry
       that names a supported language is used; a LANGUAGE with no supported entry means
       English, as gettext then falls back to the untranslated message. Without LANGUAGE the
       locale's language is used when supported (``fr_FR.UTF-8``, ``fr_CA``: French).
       One difference from GNU gettext: ``en`` in LANGUAGE counts as available (English is the
       language the messages are written in), so ``LANGUAGE=en:fr`` means English.
    3. Else ``default`` (English).
    """
    own = _language_of(environ.get("COMMONGROUND_LANGUAGE", ""))
    if own in supported:
        return own
    locale = next(
        (environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), ""
    )
    if not locale or _language_of(locale) in C_LOCALES:
        return default
    if environ.get("LANGUAGE"):
        entries = (_language_of(entry) for entry in environ["LANGUAGE"].split(":"))
        return next((entry for entry in entries if entry in supported), default)
    language = _language_of(locale)
    return language if language in supported else default


def environment_language() -> str:
    """:func:`cli_language` of this process's environment and the settings' languages."""
    from django.conf import settings

    supported = [code for code, _name in settings.LANGUAGES]
    return cli_language(os.environ, supported, "en")


def walk(command: click.Command) -> Iterator[click.Command]:
    """``command`` and every command under it."""
    yield command
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            yield from walk(command.commands[name])


#: The help texts as written (the msgids), kept when :func:`localize_help` first sees them.
_WRITTEN: dict[object, dict[str, str | None]] = {}

_COMMAND_TEXTS = ("help", "short_help", "epilog")


def _translated(text: str | None) -> str | None:
    return gettext(text) if text else text


def localize_help(root: click.Command) -> None:
    """Put the active language's help texts on every command and parameter under ``root``.

    The first call remembers the texts as written (English, marked with ``gettext_noop``), so
    each call translates from those: the tree can be put back in English. Every command also
    gets :class:`LocalizedContext`, whose formatter translates click's own headings.
    """
    for command in walk(root):
        written = _WRITTEN.setdefault(
            command, {name: getattr(command, name) for name in _COMMAND_TEXTS}
        )
        for name in _COMMAND_TEXTS:
            setattr(command, name, _translated(written[name]))
        command.context_class = LocalizedContext
        for param in command.params:
            if hasattr(param, "help"):
                text = _WRITTEN.setdefault(param, {"help": param.help})["help"]
                param.help = _translated(text)


def help_texts(root: click.Command) -> list[tuple[str, str]]:
    """(where, English text) of every help text under ``root``, as written."""
    localize_help(root)  # remembers the texts as written
    found = []
    for command in walk(root):
        name = command.name or "commonground"
        for attribute in _COMMAND_TEXTS:
            text = _WRITTEN[command][attribute]
            if text:
                found.append((f"{name}.{attribute}", text))
        for param in command.params:
            text = _WRITTEN.get(param, {}).get("help")
            if text:
                found.append((f"{name} {param.name}", text))
    return found


class LocalizedFormatter(click.HelpFormatter):
    """Click's help page with its own words (Usage, Options, Commands, default, required) in
    the active language. Only the words click hands the formatter are changed: nothing of click
    is patched."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            usage = gettext("Usage:")
            prefix = f"{usage} "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        msgid = CLICK_HEADINGS.get(heading)
        if msgid is None:
            super().write_heading(heading)
            return
        translated = gettext(msgid)
        self.write(f"{'':>{self.current_indent}}{translated}\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, _help_row(text)) for term, text in rows], *args, **kwargs)


def _help_row(text: str) -> str:
    """An option's help with click's own words translated: the help option's text, and the
    ``[default: 20; required]`` click appends (the option's own help is already translated)."""
    if text == HELP_OPTION_HELP:
        return gettext(HELP_OPTION_HELP)
    match = re.fullmatch(r"(?s)(.*?)(\s*)\[([^\[\]]*)\]", text)
    if match is None:
        return text
    items = []
    for item in match.group(3).split("; "):
        if item.startswith("default: "):
            item = gettext("default: %(value)s") % {"value": item.removeprefix("default: ")}
        elif item == "required":
            item = gettext("required")
        items.append(item)
    return f"{match.group(1)}{match.group(2)}[{'; '.join(items)}]"


class LocalizedContext(click.Context):
    formatter_class = LocalizedFormatter


class LocalizedGroup(click.Group):
    """The root group: the whole run, help and errors included, speaks the chosen language.

    The language is activated in :meth:`main`, not in the group's callback: click prints the
    help of ``commonground --help`` (and the usage errors) while parsing the arguments, before
    any callback runs, whereas ``main`` is the one entry point both the installed
    ``commonground`` script and click's ``CliRunner`` go through, before parsing and around
    the printing of errors. ``translation.override`` puts back the language that was active
    before (and :func:`localize_help` the help texts in it) when the run ends, so code that
    runs the command inside its own process (tests) does not inherit the command's language.
    Activating at the import of ``main.py`` instead would also reach ``--help``, but would set
    the language for any process that merely imports the commands (``make docs``, the tests)
    and could not put it back.
    """

    context_class = LocalizedContext

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from django.utils import translation

        try:
            setup_django()
        except Exception:  # help must print even when the settings are broken
            return super().main(*args, **kwargs)  # in English; the command says what is wrong
        try:
            with translation.override(environment_language()):
                localize_help(self)
                return super().main(*args, **kwargs)
        finally:
            localize_help(self)


@contextmanager
def english_help(root: click.Command) -> Iterator[None]:
    """The help texts in English while the block runs (``docs/cli.md`` is English)."""
    from django.utils import translation

    setup_django()
    with translation.override("en"):
        localize_help(root)
        yield
    localize_help(root)


def number(value: int) -> str:
    """``12,345`` in English, ``12 345`` in French: a count as the reader's language writes it
    (a French reader takes ``12,345`` for twelve and a bit). Machine output keeps plain ints."""
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)


def problem_line(problem: Problem) -> str:
    """``file, row 3, column 'best': reason`` in the reader's language (the reason already is:
    the importers translate it when they find it)."""
    where = [problem.file]
    if problem.row is not None:
        where.append(gettext("row %(row)s") % {"row": problem.row})
    if problem.column:
        where.append(gettext("column %(column)s") % {"column": repr(problem.column)})
    return gettext("%(where)s: %(reason)s") % {"where": ", ".join(where), "reason": problem.reason}


def rejection_text(rejected: ImportRejected) -> str:
    """Every problem of a rejected file, one a line, and how many more there were."""
    lines = [problem_line(problem) for problem in rejected.problems]
    if rejected.more:
        lines.append(
            ngettext(
                "… and %(counter)s more problem.",
                "… and %(counter)s more problems.",
                rejected.more,
            )
            % {"counter": number(rejected.more)}
        )
    return "\n".join(lines)
