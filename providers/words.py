"""The dictionary of words in listings, to correct misspelt search words ("yogga" -> "yoga") before the normal
full-text search, so a misspelling costs one indexed look-up instead of a similarity over every row.

Words are unstemmed and lower-cased (PostgreSQL's `simple` text search configuration), so that "boxxing" is
corrected to "boxing" rather than compared with the stem "box". Each listing's words are added whenever it is saved;
`rebuild()` (the `search_words_rebuild` command) recomputes the whole dictionary with `ts_stat`, dropping words no
published listing uses any more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection, transaction

from providers.models import Category, SearchWord

SIMILARITY = 0.5  # trigram similarity a correction needs: "yogga"/"yoga" 0.57, "boxxing"/"boxing" 0.67
TOKEN = re.compile(r"[^\W\d_]{3,100}")  # words worth correcting: letters only, three or more


def _category_words() -> set[str]:
    return {word for label in Category.labels for word in TOKEN.findall(label.lower())}


def learn(listing_ids: Iterable[int]) -> None:
    """Add the words of these listings to the dictionary (words already there are left alone)."""
    ids = list(listing_ids)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO providers_searchword (word)
            SELECT DISTINCT word FROM providers_listing,
                unnest(tsvector_to_array(to_tsvector('simple', title || ' ' || description))) AS word
            WHERE id = ANY(%s) AND length(word) <= 100
            ON CONFLICT DO NOTHING""",
            [ids],
        )


@transaction.atomic
def rebuild() -> int:
    """Recompute the dictionary from every published listing; answers how many words it holds."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM providers_searchword")
        cursor.execute(
            """INSERT INTO providers_searchword (word)
            SELECT word FROM ts_stat($$SELECT to_tsvector('simple', title || ' ' || description)
                FROM providers_listing WHERE status = 'published'$$)
            WHERE length(word) <= 100"""
        )
    SearchWord.objects.bulk_create([SearchWord(word=word) for word in _category_words()], ignore_conflicts=True)
    return SearchWord.objects.count()


def correct(words: str) -> str:
    """The search words with each one that no listing uses replaced by the closest word that one does (one query)."""
    tokens = sorted({token.lower() for token in TOKEN.findall(words)} - _category_words())
    if not tokens:
        return words
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT token, (
                SELECT word FROM providers_searchword
                WHERE word %% token AND similarity(word, token) >= %s
                ORDER BY similarity(word, token) DESC, word LIMIT 1
            )
            FROM unnest(%s::text[]) AS token
            WHERE NOT EXISTS (SELECT 1 FROM providers_searchword WHERE word = token)""",
            [SIMILARITY, tokens],
        )
        corrections = {token: near for token, near in cursor.fetchall() if near}
    if not corrections:
        return words
    return TOKEN.sub(lambda found: corrections.get(found.group(0).lower(), found.group(0)), words)
