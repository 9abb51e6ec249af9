"""The datasets ``commonground import`` knows, each one importer behind the same protocol."""

from __future__ import annotations

import importlib
from typing import Any

from commonground.core.services import Importer

#: Name on the command line -> "module:attribute" of its Importer (imported only when used).
IMPORTERS = {
    "ged": ("commonground.events.importers.ged:GED", "UCDP GED events, CSV or GeoJSON (20.1+)"),
    "acled": ("commonground.events.importers.acled:ACLED", "ACLED export-tool CSV"),
    "incidents": (
        "commonground.events.importers.incidents:INCIDENTS",
        "the mission's own incidents, Common Ground CSV template",
    ),
    "operations": ("commonground.registry.importers:OPERATIONS", "operations registry CSV"),
    "parallel-forces": (
        "commonground.registry.importers:PARALLEL_FORCES",
        "parallel-forces registry CSV (import operations first)",
    ),
    "presence": ("commonground.registry.importers:PRESENCE", "presence records CSV"),
}


def load_importer(name: str) -> Importer[Any]:
    target, _help = IMPORTERS[name]
    module_name, attribute = target.split(":")
    importer = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(importer, Importer)
    return importer
