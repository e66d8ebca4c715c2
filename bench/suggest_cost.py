"""What the newer answerability signals cost per suggestion: the shipped ranker against the same one seeking
the static view's nearest questions among the offered articles' only, as session 15 did, or among all its
questions, as session 14 did (light), without the static view (session 14), without that and the articles' own
words (session 13), without those and the article shapes (session 10), and without all those and the SVM's
margins (session 9).

    python -m bench.suggest_cost [--light] [--queries 2000] [--rounds 5]

Fits the calibrated ranker once on CLINC150's training split (Larson et al. 2019, ../shared/data/clinc150;
plus its 100 `oos_train` questions as *I still need help* rows), then times `search` over the same
validation questions: as shipped (the static view's nearest questions sought among the questions of the
ranker's articles and of the view's own nearest); among the ranker's articles' only; among all its
questions; with the static view left out (`Evidence.static` unset: the "static_*" signals read 0); with the
lexicon left out too (`Evidence.lexicon` empty: "own_words" reads 0); with the article shapes left out too
(`Evidence.shapes` empty: both read 0); and with the margins left out as well (`Evidence.claims` unset: the
seven signals of session 8). The seven alternate in each round so that all see the same load. Prints the
median seconds per 1,000 questions of each and the shipped one's ratios to the others: on 2 shared cores
absolute times are noise, the ratios are the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from types import MethodType
from typing import Any

import numpy as np

from adapters.search import answerability
from adapters.search.abstention import CalibratedRanker
from adapters.search.answerability import Evidence, _near
from adapters.search.article_shapes import ArticleShapes
from adapters.search.features import semantic_available
from adapters.search.lexicon import Lexicon
from adapters.search.ranker import LearnedRanker
from adapters.search.static_vectors import static_vectors
from bench import embedding_cache
from bench.quality import SHARED_SEMANTIC, articles_from, clinc, features
from core.kb import NO_ARTICLE, Article, Library


def fitted(light: bool) -> tuple[CalibratedRanker, list[str]]:
    """The shipped calibrated ranker fitted on CLINC150's history, and its validation questions."""
    data = clinc()
    articles = [Article(id=a["id"], title=a["title"], body=a["body"]) for a in articles_from(data["train"])]
    history = [(t, i) for t, i in data["train"]] + [(t, NO_ARTICLE) for t, _ in data["oos_train"]]
    ranker = CalibratedRanker(lambda: LearnedRanker(features(light)))
    Library(ranker).load(articles, history)  # indexed as the bot indexes them
    return ranker, [t for t, _ in data["val"] + data["oos_val"]]


def timed(ranker: CalibratedRanker, texts: list[str]) -> float:
    """Seconds to rank every text once, as the bot does per suggestion."""
    started = time.perf_counter()
    for text in texts:
        ranker.search(text, 3)
    return time.perf_counter() - started


def measure(light: bool, queries: int, rounds: int) -> dict[str, Any]:
    """Median seconds per 1,000 questions as shipped and without each newer signal, and ratios."""
    ranker, texts = fitted(light)
    evidence = ranker.evidence
    assert evidence is not None and ranker.calibration is not None
    texts = texts[:: max(1, len(texts) // queries)][:queries]
    shipped = {"claims": evidence.claims, "shapes": evidence.shapes, "lexicon": evidence.lexicon,
               "static": evidence.static, "_static_view": evidence._static_view,
               "centres": answerability.STATIC_CENTRES}
    no_static = {**shipped, "static": None}  # no static view: the three "static_*" signals read 0
    no_lexicon = {**no_static, "lexicon": Lexicon(None, [], None)}  # no article's words: "own_words" reads 0
    no_shapes = {**no_lexicon, "shapes": ArticleShapes(None, evidence.labels)}  # both shape signals read 0
    whole = {**shipped, "_static_view": MethodType(scan_all, evidence)}
    variants = {"shipped": shipped, "offered_only": {**shipped, "centres": 0}, "scanning_all": whole,
                "without_static": no_static,
                "without_lexicon": no_lexicon, "without_shapes": no_shapes,
                "without_either": {**no_shapes, "claims": None}}
    timed(ranker, texts[:50])  # warm caches before any is timed
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, parts in variants.items():
            use(evidence, parts)
            seconds[name].append(timed(ranker, texts))
    use(evidence, shipped)
    per = 1000 / len(texts)
    median = {name: statistics.median(values) * per for name, values in seconds.items()}
    return {"backend": ranker.name, "queries": len(texts), "rounds": rounds,
            "signals": ranker.calibration.settings.get("signals"),
            **{f"seconds_per_1000_{name}": round(value, 3) for name, value in median.items()},
            "ratio_to_offered_only": round(median["shipped"] / median["offered_only"], 3),
            "ratio_to_scanning_all": round(median["shipped"] / median["scanning_all"], 3),
            "ratio_to_without_static": round(median["shipped"] / median["without_static"], 3),
            "ratio_to_without_lexicon": round(median["shipped"] / median["without_lexicon"], 3),
            "ratio_to_without_shapes": round(median["shipped"] / median["without_shapes"], 3),
            "ratio_to_without_either": round(median["shipped"] / median["without_either"], 3)}


def use(evidence: Evidence, parts: dict[str, Any]) -> None:
    """Set a variant's parts; "centres" is how many of the view's own nearest articles it scans."""
    for attribute, value in parts.items():
        if attribute == "centres":
            answerability.STATIC_CENTRES = value
        else:
            setattr(evidence, attribute, value)


def scan_all(self: Evidence, texts: Sequence[str], first: np.ndarray,
             ranks: Sequence[Sequence[tuple[str, float]]]) -> np.ndarray:
    """Session 14's static view: the nearest of all its questions, whichever articles the ranker offered."""
    if self.static is None:
        return np.zeros((len(texts), 3))
    query = static_vectors(texts)
    near = _near(np.asarray(query @ self.static.T, dtype=float), self.static_labels, first)
    centre = self.static_shapes.centre_cosine(self.static_shapes.cosines(query), first)
    return np.column_stack([near[:, 0], near[:, 2], centre])


def main(argv: list[str] | None = None) -> int:
    """Fit, time both ways, print JSON and the command."""
    parser = argparse.ArgumentParser(prog="python -m bench.suggest_cost")
    parser.add_argument("--light", action="store_true", help="TF-IDF only, even with the semantic extra")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.light and semantic_available():
        embedding_cache.load(SHARED_SEMANTIC)
    print(json.dumps(measure(args.light, args.queries, args.rounds), indent=2))
    print(f"command: python -m bench.suggest_cost {' '.join(argv or sys.argv[1:])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
