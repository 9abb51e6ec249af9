"""Finding actors by name the way people type them: without accents, case or extra spaces.

Why: people type "Seleka" for "Séléka", or the other way round, and UCDP writes "Seleka" while
French reports write "Séléka". Database collations fold accents differently (SQLite not at all,
PostgreSQL only with an extension), so each actor stores its names folded once in Python
(``Actor.search_key``) and a search folds the typed text the same way: the same answer on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: Between the folded names in a search key; folding turns every other space into one space.
NAME_SEPARATOR = "\n"


def fold(text: str) -> str:
    """``text`` without accents or case, its spaces collapsed: "  Séléka " -> "seleka".

    Letters are decomposed (NFKD) and their combining marks dropped; ``casefold`` also maps
    "ß" to "ss", as a person comparing names would.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_key(name: str, aliases: Iterable[str] = ()) -> str:
    """An actor's name and aliases folded, one a line: what a name search matches a part of."""
    folded = dict.fromkeys(fold(n) for n in (name, *aliases) if n and n.strip())
    return NAME_SEPARATOR.join(folded)
