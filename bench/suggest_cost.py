"""What the SVM's margins cost per suggestion: the shipped ranker against the same one without them.

    python -m bench.suggest_cost [--light] [--queries 2000] [--rounds 5]

Fits the calibrated ranker once on CLINC150's training split (Larson et al. 2019, ../shared/data/clinc150;
plus its 100 `oos_train` questions as *I still need help* rows), then times `search` over the same
validation questions with the margins read (as shipped) and with them left out (`Evidence.claims` unset,
the seven signals of before), alternating the two in each round so that both see the same load. Prints
the median seconds per 1,000 questions of each and their ratio: on 2 shared cores absolute times are
noise, the ratio is the figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from adapters.search.abstention import CalibratedRanker
from adapters.search.features import semantic_available
from adapters.search.ranker import LearnedRanker
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
    """Median seconds per 1,000 questions with and without the margins, and their ratio."""
    ranker, texts = fitted(light)
    evidence = ranker.evidence
    assert evidence is not None and ranker.calibration is not None
    texts = texts[:: max(1, len(texts) // queries)][:queries]
    claims = evidence.claims
    timed(ranker, texts[:50])  # warm caches before either is timed
    with_margins, without = [], []
    for _ in range(rounds):
        evidence.claims = claims
        with_margins.append(timed(ranker, texts))
        evidence.claims = None  # the signals of before: both margins read as 0
        without.append(timed(ranker, texts))
    evidence.claims = claims
    per = 1000 / len(texts)
    a, b = statistics.median(with_margins) * per, statistics.median(without) * per
    return {"backend": ranker.name, "queries": len(texts), "rounds": rounds,
            "signals": ranker.calibration.settings.get("signals"),
            "seconds_per_1000_with_margins": round(a, 3), "seconds_per_1000_without": round(b, 3),
            "ratio": round(a / b, 3)}


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
