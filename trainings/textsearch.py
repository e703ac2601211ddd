"""Search terms for the library's fallback search (SQLite, the demo), without Django.

PostgreSQL stems with its Dutch configuration; SQLite has no stemmer, so the fallback cuts
the commonest Dutch endings off each word and matches what is left as a substring:
"ondermijnende" and "ondermijning" both become "ondermijn". Crude, but it finds what a
person typing a word form expects, and the demo needs nothing more.
"""

import re

# Longest first: "ingen" before "en", "ende" before "e".
_SUFFIXES = ("ingen", "ende", "ing", "end", "en", "e", "s")
_MIN_STEM = 4
_WORD = re.compile(r"[\w]+", re.UNICODE)


def stem(word: str) -> str:
    """The word lower-cased, minus one common Dutch ending when enough of it is left."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def fallback_terms(query: str, *, limit: int = 8) -> list[str]:
    """The stems every match must contain: words of the query, excluded words (``-woord``)
    and the ``or`` operator left out, at most ``limit`` of them, without repeats."""
    terms: list[str] = []
    for token in query.split():
        if token.startswith("-") or token.lower() == "or":
            continue
        for word in _WORD.findall(token):
            term = stem(word)
            if term and term not in terms:
                terms.append(term)
    return terms[:limit]
