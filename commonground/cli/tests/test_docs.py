"""Docs are a contract: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import commonground
from commonground.cli.reference import reference

ROOT = Path(commonground.__file__).resolve().parent.parent


def test_cli_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == reference(), "run `make docs` and commit docs/cli.md"


def test_every_setting_read_from_the_environment_is_documented() -> None:
    source = (ROOT / "commonground" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"""(?:environ\.get|env_[a-z]+)\(\s*["']([A-Z_]+)["']""", source))
    assert "DATABASE_URL" in names
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == []
