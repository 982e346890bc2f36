"""Ranked search over the tool catalog, and "retrieval before creation".

BM25 (bm25s: sparse matrices, numpy only) over one text per tool: the name split
into words and repeated (names are the densest signal), description, request,
signature and sample calls. Before a new tool is forged, `best_match` answers
"does an existing tool already do this?" and must say nothing when unsure, so
it returns a hit only when the top tool covers enough of the request's informative
words and beats the runner-up clearly (ToolIndex.decide); the thresholds were calibrated on a
labelled set with negative queries (benchmarks/retrieval.py reports them).
`near_duplicates` is the save-time warning for parse_date vs parseDate vs
parse_dates.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .catalog import CatalogEntry

_STOPWORD_TEXT = """a an the and or of to in on for from by with into onto as at is are be been was were
    it its this that these those i me my we our you your he she they them their some any all
    each every other such than then so do does did done can could should would will shall may
    might must have has had having not no nor only own same too very just also there here
    what which who whom whose when where why how if else while about against between through
    during before after above below up down out off over under again further once both few
    more most get gets give gives given make makes made want need please function tool write
    return returns returning python value values"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Programmers abbreviate in names what users spell out in requests.
ABBREVIATIONS = {
    "int": "integer",
    "ints": "integer",
    "str": "string",
    "num": "number",
    "nums": "number",
    "df": "dataframe",
    "avg": "average",
    "pct": "percent",
    "std": "standard",
    "dev": "deviation",
    "tz": "timezone",
    "col": "column",
    "cols": "column",
    "ts": "timestamp",
    "idx": "index",
    "calc": "calculate",
    "freq": "frequency",
    "cnt": "count",
    "img": "image",
    "msg": "message",
    "dir": "directory",
    "dt": "datetime",
}
# Names are short and exact: their words count this many times in a tool's text.
NAME_WEIGHT = 2
DESCRIPTION_WEIGHT = 1

# Words of text, snake_case and camelCase alike: "parseDate_v2" -> parse, Date, v, 2.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_TOKEN_OF: dict[str, str] = {}  # raw word -> search token ("" = dropped); memo for speed


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English suffix stripper: plurals, -ing, -ed, -ly (dates/date, parsing/parse)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl, minimum in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ings", "", 6),
        ("ing", "", 6),
        ("edly", "", 7),
        ("ed", "", 5),
        ("ly", "", 6),
        ("es", "", 6),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= minimum:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses", "zes")):
                return word[:-1]  # "dates" -> "date", "rates" -> "rate"
            base = word[: -len(suffix)] + repl
            if suffix in ("ing", "ings", "ed") and len(base) > 2 and base[-1] == base[-2]:
                base = base[:-1]  # "mapped" -> "map"
            return base
    return word


def words(text: str) -> list[str]:
    """Lowercase words split on non-alphanumerics, snake_case and camelCase; no stemming."""
    return [w.lower() for w in _WORD.findall(text)]


def _token(word: str) -> str:
    token = _TOKEN_OF.get(word)
    if token is None:
        low = word.lower()
        token = "" if len(low) < 2 or low in STOPWORDS else stem(ABBREVIATIONS.get(low, low))
        if len(_TOKEN_OF) < 500_000:
            _TOKEN_OF[word] = token
    return token


def tokenize(text: str) -> list[str]:
    """Search tokens: words without stopwords, abbreviations spelled out, stemmed."""
    return [t for t in map(_token, _WORD.findall(text)) if t]


def tool_tokens(entry: CatalogEntry) -> list[str]:
    """One bag of tokens per tool: name words repeated (field weight), then the texts.

    Sample calls contribute their arguments only (the name is already counted),
    cut short so one huge literal cannot drown the description. Library's
    ToolRecords work too (their samples are Sample objects).
    """
    tokens = tokenize(entry.name) * NAME_WEIGHT
    if DESCRIPTION_WEIGHT > 1:
        tokens += tokenize(entry.description) * (DESCRIPTION_WEIGHT - 1)
    texts = [s if isinstance(s, str) else str(getattr(s, "source", "")) for s in entry.samples[:3]]
    samples = " ".join(s.partition("(")[2][:200] for s in texts)
    params = entry.signature.partition("(")[2]
    tokens += tokenize(f"{entry.description}\n{entry.request}\n{params}\n{samples}")
    return tokens


@dataclass(frozen=True)
class Hit:
    """A ranked tool; ``confidence`` is the share (0..1, idf-weighted) of the query's words it has."""

    name: str
    score: float
    confidence: float
    entry: CatalogEntry


class ToolIndex:
    """BM25 over a snapshot of catalog entries; rebuild it when the catalog changes."""

    # best_match answers when confidence * (1 + margin) >= THRESHOLD, margin >= MIN_MARGIN
    # and confidence >= MIN_CONFIDENCE.
    # Calibrated by benchmarks/retrieval.py on benchmarks/data (F0.5, cross-validated).
    THRESHOLD = 0.525
    MIN_MARGIN = 0.2
    # ... and the top tool has at least half of the query's informative words. Without
    # this floor a small library answers too eagerly: one weak hit has margin 1.0, and
    # 10 % of requests no tool covers got an offer in 30-tool libraries (3 % with it).
    MIN_CONFIDENCE = 0.5

    def __init__(self, entries: Sequence[CatalogEntry]) -> None:
        import bm25s  # type: ignore[import-untyped]
        import numpy as np

        self.entries = list(entries)
        self._np = np
        self._n = len(self.entries)
        self._deprecated = np.array([bool(e.deprecated) for e in self.entries], dtype=bool)
        corpus = [tool_tokens(e) for e in self.entries]
        self._bm25: Any = None
        self._vocab: dict[str, int] = {}
        self._df: dict[str, int] = {}
        if self._n:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)
            self._vocab = self._bm25.vocab_dict
            indptr = self._bm25.scores["indptr"]
            last = len(indptr) - 1  # bm25s's extra "" token has no column
            self._df = {
                t: int(indptr[i + 1] - indptr[i]) for t, i in self._vocab.items() if i < last
            }

    def __len__(self) -> int:
        return self._n

    def idf(self, token: str) -> float:
        """Lucene's BM25 idf; a word no tool has gets the highest idf (it matters most)."""
        df = self._df.get(token, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))

    def _query_terms(self, query: str) -> list[str]:
        return list(dict.fromkeys(tokenize(query)))

    def _scores(self, terms: Sequence[str], include_deprecated: bool) -> Any:
        np = self._np
        ids = [self._vocab[t] for t in terms if t in self._vocab]
        if not ids:
            return np.zeros(self._n, dtype=np.float32)
        scores = self._bm25.get_scores_from_ids(ids)
        if not include_deprecated:
            scores = np.where(self._deprecated, 0.0, scores)
        return scores

    def _contains(self, term: str, docs: Any) -> Any:
        """Which of ``docs`` contain ``term`` (from the index's postings; no per-tool sets)."""
        np = self._np
        i = self._vocab.get(term)
        if i is None or term not in self._df:
            return np.zeros(len(docs), dtype=bool)
        indptr, indices = self._bm25.scores["indptr"], self._bm25.scores["indices"]
        return np.isin(docs, indices[indptr[i] : indptr[i + 1]])

    def coverages(self, terms: Sequence[str], docs: Any) -> list[float]:
        """Idf-weighted share of the query's words that each of ``docs`` contains."""
        weights = [self.idf(t) for t in terms]
        total = sum(weights)
        if total <= 0:
            return [0.0] * len(docs)
        have = sum(w * self._contains(t, docs) for t, w in zip(terms, weights, strict=True))
        return [float(c) / total for c in have]

    def _ranked(self, query: str, k: int, include_deprecated: bool) -> tuple[list[Hit], Any]:
        np = self._np
        terms = self._query_terms(query)
        if not self._n or not terms or k <= 0:
            return [], None
        scores = self._scores(terms, include_deprecated)
        k = min(k, self._n)
        top = np.argpartition(-scores, k - 1)[:k] if k < self._n else np.arange(self._n)
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        hits = [
            Hit(
                name=self.entries[i].name,
                score=float(scores[i]),
                confidence=confidence,
                entry=self.entries[i],
            )
            for i, confidence in zip(top, self.coverages(terms, top), strict=True)
        ]
        return hits, scores

    def search(self, query: str, k: int = 5, include_deprecated: bool = False) -> list[Hit]:
        """The ``k`` best tools for ``query``, best first (deprecated tools hidden by default)."""
        return self._ranked(query, k, include_deprecated)[0]

    @classmethod
    def decide(
        cls,
        confidence: float,
        margin: float,
        threshold: float | None = None,
        min_margin: float | None = None,
        min_confidence: float | None = None,
    ) -> bool:
        """best_match's rule: enough of the query covered, boosted by a clear lead.

        A top tool with all the query's words may win narrowly; one with fewer
        must win clearly; a near tie (margin below MIN_MARGIN) never answers.
        """
        threshold = cls.THRESHOLD if threshold is None else threshold
        min_margin = cls.MIN_MARGIN if min_margin is None else min_margin
        floor = cls.MIN_CONFIDENCE if min_confidence is None else min_confidence
        return (
            confidence >= floor and margin >= min_margin and confidence * (1 + margin) >= threshold
        )

    def best_match(self, query: str) -> Hit | None:
        """The tool that very likely already does what ``query`` asks, else None (see decide)."""
        hits = self.search(query, k=2)
        if not hits:
            return None
        margin = _margin(hits)
        return hits[0] if self.decide(hits[0].confidence, margin) else None

    def features(self, query: str) -> dict[str, Any]:
        """What best_match decides on (for calibration and for explaining a decision)."""
        hits = self.search(query, k=2)
        if not hits:
            return {"name": None, "confidence": 0.0, "margin": 0.0, "score": 0.0}
        return {
            "name": hits[0].name,
            "confidence": hits[0].confidence,
            "margin": _margin(hits),
            "score": hits[0].score,
        }


def _margin(hits: Sequence[Hit]) -> float:
    """How far the first hit's score is ahead of the second's, relative (1.0 when alone)."""
    if len(hits) < 2:
        return 1.0
    return (hits[0].score - hits[1].score) / hits[0].score


# -- near duplicates (save-time warning) ---------------------------------------------


def _flat_name(name: str) -> str:
    return "".join(words(name))


def _name_words(name: str) -> list[str]:
    return [stem(w) for w in words(name)]


def parameters(signature: str) -> tuple[str, ...] | None:
    """Parameter names of ``name(a: int, *, b=1) -> x`` (None when it cannot be parsed)."""
    start = signature.find("(")
    if start < 0:
        return None
    try:
        tree = ast.parse(f"def _f{signature[start:]}:\n    pass\n")
    except SyntaxError:
        return None
    func = tree.body[0]
    if not isinstance(func, ast.FunctionDef):
        return None
    return argument_names(func.args)


def argument_names(args: ast.arguments) -> tuple[str, ...]:
    """``a, b, *rest, c, **options`` of a def, with the stars (how it may be called)."""
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return tuple(names)


def near_duplicates(
    name: str, signature: str, entries: Sequence[CatalogEntry]
) -> list[CatalogEntry]:
    """Existing tools that look like the same tool under another name.

    Same name once case, underscores and plural endings are ignored
    (parse_date / parseDate / parse_dates), a near-identical spelling, or the
    same parameter list with a similar name. The tool itself (same name: a new
    version) is not a duplicate. Most similar first.
    """
    flat, stems, params = _flat_name(name), _name_words(name), parameters(signature)
    found: list[tuple[float, CatalogEntry]] = []
    for entry in entries:
        if entry.name == name:
            continue
        other_flat = _flat_name(entry.name)
        ratio = difflib.SequenceMatcher(None, flat, other_flat).ratio()
        other_stems = _name_words(entry.name)
        same_words = other_flat == flat or (bool(stems) and other_stems == stems)
        shared = set(stems) & set(other_stems)
        jaccard = len(shared) / max(1, len(set(stems) | set(other_stems)))
        same_params = params is not None and params == parameters(entry.signature)
        if same_words or ratio >= 0.9 or (same_params and (ratio >= 0.85 or jaccard > 0.5)):
            found.append((2.0 if same_words else ratio, entry))
    found.sort(key=lambda item: -item[0])
    return [entry for _, entry in found]
