"""Generate ``docs/cli.md`` from the commands' own ``--help`` (run by ``make docs``).

A test compares the committed file with this output, so an undocumented command fails CI.
"""

from __future__ import annotations

import click

from commonground.cli.main import cli


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
    ]
    for path, command in _walk(cli, ["commonground"]):
        context = click.Context(
            command,
            info_name=" ".join(path),
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        lines += [f"## `{' '.join(path)}`", "", "```", command.get_help(context), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference(), end="")
