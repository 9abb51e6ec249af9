"""The SMS keyword format, in French and English (docs/voices.md, "SMS gateways").

    ALERTE <catégorie> <lieu…> [<nombre>] [<message libre…>] [+COMPTER] [+RAPPEL] [+CITER]
    ALERT  <category>  <place…> [<count>]  [<free text…>]    [+COUNT]   [+CALLBACK] [+QUOTE]

- the keyword, ``ALERTE`` or ``ALERT`` (any case, accents ignored);
- a category code, a number 1-12 or a short word in either language (:data:`CATEGORY_CODES`);
- the place: every word up to the first number (at least one word); matched against the admin-2
  areas' French and English names to fill the clear ``area`` column; the words themselves are
  kept encrypted as the exact place;
- the number of people affected (optional; counted as "sex or age not known");
- any words after it: the account, encrypted;
- the consents, anywhere after the category, each a separate choice: ``+COMPTER``/``+COUNT``
  (may be counted), ``+RAPPEL``/``+CALLBACK`` (may be contacted back: the sender's number then
  goes into the encrypted part, and only then), ``+CITER``/``+QUOTE`` (may be quoted).

Example: ``ALERTE PIL Bambari 3 maisons pillées +COMPTER`` is looting at Bambari, 3 people.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from commonground.voices.models import COUNT_MAX, NARRATIVE_MAX, SHORT_TEXT_MAX, Category

KEYWORDS = {"ALERTE", "ALERT"}

#: Category codes: the number, then French and English short words.
CATEGORY_CODES: dict[str, str] = {}
for number, category, words in [
    (1, Category.THREAT, ("MEN", "MENACE", "THR", "THREAT")),
    (2, Category.KILLING, ("TUE", "MEURTRE", "KIL", "KILLING")),
    (3, Category.ABDUCTION, ("ENL", "ENLEVEMENT", "ABD", "ABDUCTION")),
    (4, Category.SGBV, ("VBG", "VSBG", "GBV", "SGBV")),
    (5, Category.LOOTING, ("PIL", "PILLAGE", "LOO", "LOOTING")),
    (6, Category.DISPLACEMENT, ("DEP", "DEPLACEMENT", "DIS", "DISPLACEMENT")),
    (7, Category.DENIAL_OF_SERVICES, ("SER", "SERVICES")),
    (8, Category.LAND_LIVESTOCK, ("TER", "TERRE", "BETAIL", "LAN", "LAND")),
    (9, Category.HATE_SPEECH, ("HAI", "HAINE", "HAT", "HATE")),
    (10, Category.LOCAL_AGREEMENT, ("ACC", "ACCORD", "AGR", "AGREEMENT")),
    (11, Category.RETURN, ("RET", "RETOUR", "RETURN")),
    (12, Category.OTHER, ("AUT", "AUTRE", "OTH", "OTHER")),
]:
    CATEGORY_CODES[str(number)] = category
    CATEGORY_CODES.update(dict.fromkeys(words, category))

CONSENTS = {
    "+COMPTER": "may_count",
    "+COUNT": "may_count",
    "+RAPPEL": "may_contact",
    "+CALLBACK": "may_contact",
    "+CITER": "may_quote",
    "+QUOTE": "may_quote",
}

FORMAT_HELP = (
    "Format: ALERTE <catégorie 1-12> <lieu> <nombre> [message] [+COMPTER] [+RAPPEL] [+CITER]. "
    "Ex.: ALERTE PIL Bambari 3 +COMPTER / "
    "Format: ALERT <category 1-12> <place> <count> [message] [+COUNT] [+CALLBACK] [+QUOTE]. "
    "E.g.: ALERT LOO Bambari 3 +COUNT"
)


class SmsFormatError(Exception):
    """A message that is not in the keyword format: the reason in English and French."""

    def __init__(self, reason: str, reason_fr: str) -> None:
        super().__init__(f"{reason} / {reason_fr}")
        self.reason = reason
        self.reason_fr = reason_fr


@dataclass
class SmsReport:
    """What an alert message says, before it becomes a report."""

    category: str
    place: str
    count: int = 0
    narrative: str = ""
    consents: set[str] = field(default_factory=set)


def fold(word: str) -> str:
    """Upper case without accents: ``Déplacement`` and ``DEPLACEMENT`` are the same code."""
    decomposed = unicodedata.normalize("NFKD", word.upper())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_alert(text: str) -> SmsReport:
    """Read one alert message; :class:`SmsFormatError` says what is wrong."""
    words = text.split()
    if not words or fold(words[0]) not in KEYWORDS:
        raise SmsFormatError(
            "the message must start with ALERT", "le message doit commencer par ALERTE"
        )
    if len(words) < 3:
        raise SmsFormatError(
            "give a category and a place after ALERT",
            "indiquez une catégorie et un lieu après ALERTE",
        )
    category = CATEGORY_CODES.get(fold(words[1]))
    if category is None:
        raise SmsFormatError(
            f"unknown category code {words[1][:20]!r}",
            f"code de catégorie inconnu {words[1][:20]!r}",
        )
    consents = {CONSENTS[fold(w)] for w in words[2:] if fold(w) in CONSENTS}
    rest = [w for w in words[2:] if fold(w) not in CONSENTS]
    place_words: list[str] = []
    while rest and not rest[0].isdigit():
        place_words.append(rest.pop(0))
    if not place_words:
        raise SmsFormatError("give the place before the count", "indiquez le lieu avant le nombre")
    count = 0
    if rest:
        count = int(rest.pop(0))
        if count > COUNT_MAX:
            raise SmsFormatError(
                f"the count is above {COUNT_MAX}", f"le nombre dépasse {COUNT_MAX}"
            )
    return SmsReport(
        category=category,
        place=" ".join(place_words)[:SHORT_TEXT_MAX],
        count=count,
        narrative=" ".join(rest)[:NARRATIVE_MAX],
        consents=consents,
    )
