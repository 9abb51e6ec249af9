"""Shared fixtures: the named cast and the real data, imported once per test database."""

from __future__ import annotations

import os

os.environ.setdefault("COMMONGROUND_HOME", os.path.join(os.getcwd(), ".venv", "cghome"))
