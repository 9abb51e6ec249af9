"""Traffic Light Protocol 2.0 markings beside our sensitivity levels (ADR 0020).

TLP says how far a *recipient* may pass something on; our sensitivity says who the platform
shows a record to. The mapping is the strictest label that fits who may see the record, so a
recipient who follows the marking never shares it wider than the platform did:

- ``public``       -> TLP:CLEAR        (anyone);
- ``partners``     -> TLP:AMBER        (the sharing circle's organizations, need to know);
- ``restricted``   -> TLP:AMBER+STRICT (each seeing organization keeps it to itself);
- ``confidential`` -> TLP:RED          (named people only: the owner's analysts).

TLP:GREEN (the wider community) is carried by no owned record: it is left for figures released
through the disclosure gate. A community report is TLP:AMBER+STRICT in lists (coarse parts) and
TLP:RED where its protected fields are shown.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.sharing.models import Sensitivity


class Tlp(models.TextChoices):
    CLEAR = "CLEAR", _("TLP:CLEAR — may be shared without limit")
    GREEN = "GREEN", _("TLP:GREEN — may be shared within the community, not publicly")
    AMBER = "AMBER", _("TLP:AMBER — only within the receiving organizations, need to know")
    AMBER_STRICT = "AMBER+STRICT", _("TLP:AMBER+STRICT — only within the receiving organization")
    RED = "RED", _("TLP:RED — only the people it was shown to")


#: Our sensitivity levels and their TLP 2.0 marking (docs/access-policy.md).
TLP_OF_SENSITIVITY = {
    Sensitivity.PUBLIC: Tlp.CLEAR,
    Sensitivity.PARTNERS: Tlp.AMBER,
    Sensitivity.RESTRICTED: Tlp.AMBER_STRICT,
    Sensitivity.CONFIDENTIAL: Tlp.RED,
}

#: Community reports: the coarse parts in lists, the protected fields where shown.
TLP_REPORT_COARSE = Tlp.AMBER_STRICT
TLP_REPORT_PROTECTED = Tlp.RED


def tlp_for(sensitivity: int) -> Tlp:
    """The TLP 2.0 marking of a sensitivity level; an unknown level is marked RED."""
    try:
        return TLP_OF_SENSITIVITY[Sensitivity(sensitivity)]
    except ValueError:
        return Tlp.RED


def tlp_label(sensitivity: int) -> str:
    """``TLP:AMBER+STRICT`` and so on: what exports and the API carry."""
    return f"TLP:{tlp_for(sensitivity).value}"


def strictest(levels: list[int]) -> str:
    """The marking of a set of records (an export): the strictest of its records' markings.

    An empty set is TLP:CLEAR.
    """
    return tlp_label(max(levels, default=Sensitivity.PUBLIC))


#: The marking of every figure released through the disclosure gate (docs/access-policy.md).
RELEASED_TLP = "TLP:GREEN"
