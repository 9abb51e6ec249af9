"""Docs as a contract: every API operation and every error code is described in docs/api.md."""

from __future__ import annotations

import re
from pathlib import Path

import commonground
from commonground.api import api
from commonground.api.errors import ERROR_CODES

API_DOC = Path(commonground.__file__).resolve().parent.parent / "docs" / "api.md"


def operations() -> list[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    ]


def test_every_operation_is_documented() -> None:
    documented = API_DOC.read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ `([A-Z]+ /api/v1/[^`]*)`", documented, re.MULTILINE))
    assert sorted(set(operations()) - headings) == []
    assert sorted(headings - set(operations())) == []  # and nothing that no longer exists


def test_every_error_code_is_documented() -> None:
    documented = API_DOC.read_text(encoding="utf-8")
    assert [code for code in set(ERROR_CODES.values()) if f"`{code}`" not in documented] == []
