"""The OpenAPI document is valid OpenAPI 3.1, so ``/api/v1/docs`` (Swagger UI) can render it.

Two defects broke it before: ``/panels/{country}`` had two ``"200"`` responses (a JSON object
with a repeated key, which Swagger UI refuses), and two response shapes were both named
``PresenceOut``, so ``/presence`` was described with the coverage's shape.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate
from pydantic import BaseModel

from commonground.api import api

pytestmark = pytest.mark.django_db


def no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: a key given twice in one object is an error, not "last one wins"."""
    keys = [key for key, _value in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"repeated keys in one JSON object: {repeated}")
    return dict(pairs)


def served_document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(response.content, object_pairs_hook=no_repeated_keys)
    return document


def test_the_served_document_has_no_repeated_keys() -> None:
    served_document()  # raises on a repeated key


def test_the_served_document_is_valid_openapi() -> None:
    validate(served_document())


def test_the_panel_says_it_answers_json_or_csv() -> None:
    responses = served_document()["paths"]["/api/v1/panels/{country}"]["get"]["responses"]
    assert sorted(responses["200"]["content"]) == ["application/json", "text/csv"]


def api_models() -> list[type[BaseModel]]:
    """Every pydantic model the API's modules define (the shapes the document names)."""
    found: list[type[BaseModel]] = []
    stack: list[type[BaseModel]] = [BaseModel]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("commonground.api.") and "[" not in sub.__name__:
                found.append(sub)
    return found


def test_every_api_shape_has_its_own_name() -> None:
    names = [model.__name__ for model in api_models()]
    assert "EventOut" in names  # the walk finds the API's shapes
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_presence_is_described_with_the_presence_shape() -> None:
    document = served_document()
    listed = document["paths"]["/api/v1/presence"]["get"]["responses"]["200"]
    page_ref = listed["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schemas = document["components"]["schemas"]
    item_ref = schemas[page_ref]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert {"source_id", "organization_name", "actor_kind"} <= set(schemas[item_ref]["properties"])


def test_the_document_is_the_one_ninja_builds() -> None:
    assert (
        served_document()["paths"].keys()
        == api.get_openapi_schema(path_prefix="/api/v1/")["paths"].keys()
    )
