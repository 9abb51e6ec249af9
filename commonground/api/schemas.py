"""Shapes the API answers with, shared by several routers; each router keeps its own as well."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, field_validator

from commonground.registry.models import Actor
from commonground.sharing.models import Organization, Sensitivity

SensitivityName = Literal["public", "partners", "restricted", "confidential"]

#: The largest integer key SQLite and PostgreSQL store (a bigger one would be a server error).
MAX_INTEGER_ID = 2**63 - 1

#: An area code: ``CAF``, ``CAF.ouaka``, ``CAF.ouaka.bambari``.
AREA_CODE = r"^[A-Z]{3}(\.[a-z0-9-]+){0,2}$"

#: An ISO 3166 alpha-3 code (``XKX`` for Kosovo is user-assigned, and allowed).
COUNTRY_CODE = r"^[A-Z]{3}$"

#: A registry slug (operations, parallel forces, organizations).
SLUG = r"^[-a-zA-Z0-9_]+$"


TlpName = Literal["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]
#: The API field that carries an owned record's TLP 2.0 marking (docs/access-policy.md).
TLP_FIELD = Field(description="TLP 2.0 marking of the record's sensitivity (ADR 0020).")


def tlp_name(value: int) -> TlpName:
    """The TLP 2.0 marking of a sensitivity level, as the API spells it."""
    from commonground.sharing.markings import tlp_label

    return tlp_label(value)  # type: ignore[return-value]  # the five labels of TlpName


def sensitivity_name(value: int) -> SensitivityName:
    names: dict[int, SensitivityName] = {
        Sensitivity.PUBLIC: "public",
        Sensitivity.PARTNERS: "partners",
        Sensitivity.RESTRICTED: "restricted",
        Sensitivity.CONFIDENTIAL: "confidential",
    }
    return names[value]


class QueryFilters(Schema):
    """Query-string filters; an empty one (``?country=``) means no filter, as on the pages."""

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


class OrganizationRef(Schema):
    slug: str
    name: str
    acronym: str

    @classmethod
    def of(cls, organization: Organization) -> OrganizationRef:
        return cls(slug=organization.slug, name=organization.name, acronym=organization.acronym)


class ActorRef(Schema):
    id: uuid.UUID
    name: str
    kind: str

    @classmethod
    def of(cls, actor: Actor | None) -> ActorRef | None:
        if actor is None:
            return None
        return cls(id=actor.pk, name=actor.name, kind=actor.kind)


class Ownership(Schema):
    owner: OrganizationRef
    sensitivity: SensitivityName
    licence: str = Field(description="The terms the record came under, e.g. CC-BY-4.0.")


class Period(Schema):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
