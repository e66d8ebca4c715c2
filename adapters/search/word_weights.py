"""Word weights counted once and kept: the incident rule's TF-IDF without refitting per report.

The incident and duplicate checks compare a report with a few open tickets by TF-IDF over words and
word pairs, the words weighed by the newest 300 tickets as well (README "Incidents and duplicates").
Fitting a TfidfVectorizer over those 300 texts for every report cost most of a report's handling. Here
their document frequencies are counted once (and kept a minute, core/gists.KeptWeights), and an index
over the few compared documents adds its own: the scores are those of `TfidfRetriever(chars=False)`
fitted on the documents and the 300 texts together (scikit-learn's analyzer, smoothed idf
ln((1 + n) / (1 + df)) + 1, sublinear tf, l2 norm; tests/test_word_weights.py compares them).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer

from adapters.search.tfidf import TfidfRetriever
from core.gists import QUERY
from core.ports import Retriever

Terms = dict[str, int]  # a text's words and word pairs, with their counts


class Words:
    """The word analyzer of the incident index, remembering the terms of the texts it has seen.

    Tickets are compared again and again while they are open: each text is analyzed once. The memory
    is bounded (cleared when full; one dict, so safe to share between threads).
    """

    def __init__(self, remembered: int = 20_000) -> None:
        self._analyze = TfidfVectorizer(stop_words="english", ngram_range=(1, 2)).build_analyzer()
        self._seen: dict[str, Terms] = {}
        self.remembered = remembered

    def terms(self, text: str) -> Terms:
        """The text's terms and their counts."""
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) >= self.remembered:
                self._seen.clear()
            found = self._seen[text] = dict(Counter(self._analyze(text)))
        return found

    def weigh(self, texts: Sequence[str]) -> TfidfWordWeights:
        """The document frequencies of the texts' terms (core/incidents.IncidentRules.weigh)."""
        df: Counter[str] = Counter()
        for text in texts:
            df.update(self.terms(text).keys())
        return TfidfWordWeights(self, df, tuple(texts))


class TfidfWordWeights:
    """Document frequencies over the newest tickets' texts (core/gists.WordWeights)."""

    def __init__(self, words: Words, df: Counter[str], texts: tuple[str, ...]) -> None:
        self.words, self.df, self.texts = words, df, texts

    def similar(self) -> Retriever:
        """A fresh index over a few documents, their words weighed by these texts and by them."""
        return WeighedIndex(self)


class WeighedIndex:
    """TF-IDF cosine over the fitted documents, the background's document frequencies added in."""

    def __init__(self, weights: TfidfWordWeights) -> None:
        self._weights, self._words = weights, weights.words
        self._ids: list[str] = []
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._df: Counter[str] = Counter()
        self._idf: dict[str, float] = {}  # worked out once per term and fit
        self._n = 0
        self._fallback: TfidfRetriever | None = None

    def fit(self, docs: Sequence[tuple[str, str]]) -> None:
        """Index (doc_id, text) pairs."""
        counts = [self._words.terms(text) for _, text in docs]
        self._df = Counter()
        for terms in counts:
            self._df.update(terms.keys())
        if not self._df and not self._weights.df:  # no word at all: the retriever's characters, as before
            self._fallback = TfidfRetriever(chars=False)
            self._fallback.fit([*docs, *((QUERY, text) for text in self._weights.texts)])
            return
        self._ids, self._n = [doc_id for doc_id, _ in docs], len(docs) + len(self._weights.texts)
        self._postings, self._idf = {}, {}
        for i, terms in enumerate(counts):
            for term, weight in self._vector(terms).items():
                self._postings.setdefault(term, []).append((i, weight))

    def search(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The best doc ids for a text with their cosine similarity, best first (ties: fitted order)."""
        if self._fallback is not None:
            return self._fallback.search(text, limit)
        if not self._ids or not text.strip():
            return []
        scores: dict[int, float] = {}
        for term, weight in self._vector(self._words.terms(text)).items():
            for i, other in self._postings.get(term, ()):
                scores[i] = scores.get(i, 0.0) + weight * other
        best: dict[str, float] = {}
        for i in sorted(scores, key=lambda i: (-scores[i], i)):
            if scores[i] <= 0 or len(best) >= limit:
                break
            best.setdefault(self._ids[i], scores[i])
        return list(best.items())

    def _vector(self, terms: Terms) -> dict[str, float]:
        """The l2-normalized TF-IDF weights of a text's terms known to the documents or the background."""
        raw = {}
        for term, count in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                df = self._df.get(term, 0) + self._weights.df.get(term, 0)
                idf = self._idf[term] = math.log((1 + self._n) / (1 + df)) + 1 if df else 0.0
            if idf:
                raw[term] = (math.log(count) + 1) * idf
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {term: w / norm for term, w in raw.items()} if norm else {}
