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
}


def load_importer(name: str) -> Importer[Any]:
    target, _help = IMPORTERS[name]
    module_name, attribute = target.split(":")
    importer = getattr(importlib.import_module(module_name), attribute)
    assert isinstance(importer, Importer)
    return importer
