"""The datasets ``commonground import`` knows, each one importer behind the same protocol."""

from __future__ import annotations

import importlib
from typing import Any

from django.utils.translation import gettext_noop

from commonground.core.services import Importer

#: Name on the command line -> "module:attribute" of its Importer (imported only when used),
#: and what it is (translated where a page shows it).
IMPORTERS = {
    "ged": (
        "commonground.events.importers.ged:GED",
        gettext_noop("UCDP GED events, CSV or GeoJSON (20.1+)"),
    ),
    "acled": ("commonground.events.importers.acled:ACLED", gettext_noop("ACLED export-tool CSV")),
    "incidents": (
        "commonground.events.importers.incidents:INCIDENTS",
        gettext_noop("the mission's own incidents, Common Ground CSV template"),
    ),
    "operations": (
        "commonground.registry.importers:OPERATIONS",
        gettext_noop("operations registry CSV"),
    ),
    "parallel-forces": (
        "commonground.registry.importers:PARALLEL_FORCES",
        gettext_noop("parallel-forces registry CSV (import operations first)"),
    ),
    "presence": ("commonground.registry.importers:PRESENCE", gettext_noop("presence records CSV")),
    "mandate-taxonomy": (
        "commonground.mandates.importers:MANDATE_TAXONOMY",
        gettext_noop("mandate task taxonomy CSV (taxonomy.csv)"),
    ),
    "mandate-tasks": (
        "commonground.mandates.importers:MANDATE_TASKS",
        gettext_noop("a mission's mandate tasks per resolution CSV (import the taxonomy first)"),
    ),
    "agreement": (
        "commonground.mandates.importers:AGREEMENT",
        gettext_noop("peace-agreement provisions CSV"),
    ),
    "agreement-events": (
        "commonground.mandates.importers:AGREEMENT_EVENTS",
        gettext_noop("peace-agreement implementation events CSV (import the provisions first)"),
    ),
    "geopko": (
        "commonground.mandates.importers:GEOPKO",
        gettext_noop("Geo-PKO deployments by location and year (FrontMap CSV)"),
    ),
    "geopko-contributors": (
        "commonground.mandates.importers:GEOPKO_CONTRIBUTORS",
        gettext_noop("Geo-PKO troop-contributing countries by location and year (TCCMap CSV)"),
    ),
    "geopko-units": (
        "commonground.mandates.importers:GEOPKO_UNITS_IMPORTER",
        gettext_noop("Geo-PKO unit types by location and year (TTMap CSV)"),
    ),
}


def load_importer(name: str) -> Importer[Any]:
    target, _help = IMPORTERS[name]
    module_name, attribute = target.split(":")
    importer = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(importer, Importer)
    return importer
