"""`fixloop backtest kb|route|causes`: replay labelled history and score what Fixloop would have done."""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import InvalidInput
from core.kb import Article, Library, Ranker, SuggestionPolicy


def add_parser(sub: Any) -> None:
    """Register `backtest` and its three subcommands on the top-level subparsers."""
    bt = sub.add_parser("backtest", help="score suggestion, routing and causes on labelled history")
    kinds = bt.add_subparsers(dest="what", required=True)
    kb = kinds.add_parser("kb", help="article suggestion: hit@1, hit@3, MRR, abstention")
    kb.add_argument("--articles", type=Path, required=True, help="CSV: id,title,body")
    kb.add_argument("--history", type=Path, help="CSV: text,article_id (tickets the article solved; an empty "
                    "article_id: a ticket no article fitted, which teaches abstention)")
    kb.add_argument("--queries", type=Path, required=True, help="CSV: text,article_id (empty: none fits)")
    kb.add_argument("--by", metavar="COLUMN", help="a column of all three files naming the business "
                    "(surface, deployment): each is backtested on its own, with its own learnt threshold")
    route = kinds.add_parser("route", help="owning team prediction: accuracy, macro-F1")
    route.add_argument("--train", type=Path, required=True, help="CSV: text,team")
    route.add_argument("--test", type=Path, required=True, help="CSV: text,team")
    causes = kinds.add_parser("causes", help="root-cause clustering: NMI, ARI, Hungarian accuracy")
    causes.add_argument("--tickets", type=Path, required=True, help="CSV: text,label (labels only score)")
    for p in (kb, route, causes):
        p.add_argument("--json", action="store_true")
        p.add_argument("--backend", choices=("auto", "tfidf", "semantic"), default="auto",
                       help="auto: the best installed (semantic with the extra, else tfidf)")


def run(args: argparse.Namespace) -> int:
    """Run one backtest and print its figures."""
    if args.what == "kb":
        by = (args.by,) if args.by else ()
        history = read_rows(args.history, ("text", "article_id", *by)) if args.history else []
        from adapters.search.abstention import CalibratedRanker
        from adapters.search.ranker import LearnedRanker
        from bot.backtest_business import backtest_kb_by

        make = _features_maker(args.backend)
        articles = read_rows(args.articles, ("id", "title", "body", *by))
        queries = read_rows(args.queries, ("text", "article_id", *by))

        def ranker() -> CalibratedRanker:
            return CalibratedRanker(lambda: LearnedRanker(make()))

        result = (backtest_kb_by(args.by, articles, history, queries, ranker=ranker) if args.by
                  else backtest_kb(articles, history, queries, ranker=ranker()))
    elif args.what == "route":
        columns = ("text", "team")
        from adapters.search.classifier import LinearTextClassifier

        result = backtest_route(read_rows(args.train, columns), read_rows(args.test, columns),
                                classifier=LinearTextClassifier(_features(args.backend)))
    else:
        tickets = read_rows(args.tickets, ("text", "label"))
        result = backtest_causes(tickets, clusterer=_clusterer(args.backend))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_figures(result)
    return 0


def print_figures(figures: dict[str, Any], indent: str = "") -> None:
    """One figure per line, nested ones indented under their name (the abstention's why reads as a line)."""
    for key, value in figures.items():
        if isinstance(value, dict) and value:
            print(f"{indent}{key}:")
            print_figures(value, indent + "  ")
        else:
            print(f"{indent}{key}: {value}")


def _features(backend: str) -> Any:
    from adapters.search.features import CombinedFeatures, LexicalFeatures, best_features

    return {"auto": best_features, "tfidf": LexicalFeatures, "semantic": CombinedFeatures}[backend]()


def _features_maker(backend: str) -> Any:
    """Features for each cross-validation fold, sharing one embedding cache when semantic."""
    from adapters.search import features as f

    if backend == "semantic":
        shared = f.SemanticFeatures()
        return lambda: f.CombinedFeatures(semantic=shared)
    return {"auto": f.best_features_maker(), "tfidf": f.LexicalFeatures}[backend]


def _clusterer(backend: str) -> Any:
    from adapters.search.clustering import WardClusterer, best_clusterer, semantic_clusterer

    return {"auto": best_clusterer, "tfidf": WardClusterer, "semantic": semantic_clusterer}[backend]()


def read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a CSV with a header; a clear error when the file or a required column is missing."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}; "
                               f"expected {','.join(required)}")
        return [{k: (row.get(k) or "").strip() for k in required} for row in reader]


def backtest_kb(articles: list[dict[str, str]], history: list[dict[str, str]], queries: list[dict[str, str]],
                *, ranker: Ranker | None = None, policy: SuggestionPolicy | None = None) -> dict[str, Any]:
    """Suggest for each query as the bot would; score hits and abstention."""
    from adapters.search.abstention import CalibratedRanker
    from adapters.search.features import best_features_maker
    from adapters.search.ranker import LearnedRanker
    from adapters.search.scoring import calibration_error

    make = best_features_maker()
    ranker = ranker or CalibratedRanker(lambda: LearnedRanker(make()))
    library = Library(ranker, policy or SuggestionPolicy())
    library.load([Article(id=a["id"], title=a["title"], body=a["body"]) for a in articles],
                 [(h["text"], h["article_id"]) for h in history])  # an empty id: no article fitted
    adapt = getattr(library.retriever, "adapt", None)
    if adapt is not None:  # the replayed questions are what the bot was asked: texts only, never labels
        adapt([q["text"] for q in queries])
    library.suggest("warm up")  # a lazily loaded model should not count against queries per second
    started = time.perf_counter()
    offered = [[s.article.id for s in library.suggest(q["text"]).items] for q in queries]
    seconds = time.perf_counter() - started
    scored = [library.retriever.search(q["text"], limit=10) for q in queries]
    ranked = [[aid for aid, _ in row] for row in scored]
    # Is the top article's confidence a probability? Unanswerable queries count as wrong answers.
    tops = [(row[0] if row else ("", 0.0)) for row in scored]
    ece = calibration_error([c for _, c in tops], [aid == q["article_id"] != "" for (aid, _), q in
                                                  zip(tops, queries, strict=True)])
    return {"n": len(queries), "backend": getattr(library.retriever, "name", "custom"),
            **kb_scores(queries, offered, ranked), "calibration_error": ece,
            "queries_per_second": round(len(queries) / max(seconds, 1e-9), 1),
            "abstention": abstention_report(library)}


def abstention_report(library: Library) -> dict[str, Any]:
    """The threshold the bot used and how it was chosen, so an admin can see why it stays quiet."""
    from core.kb import abstain_below

    calibration = getattr(library.retriever, "calibration", None)
    threshold = abstain_below(library.retriever, library.policy)
    if calibration is not None and library.policy.min_score is None:
        return dict(calibration.to_dict())
    quiet = f"The bot stays quiet when its first article's confidence is below {threshold:g}."
    if library.policy.min_score is not None:
        return {"threshold": threshold, "quiet_when": quiet, "how": "set by the policy (min_score)"}
    if hasattr(library.retriever, "calibration"):
        return {"threshold": threshold, "quiet_when": quiet,
                "how": "the ranker's default (too little history to learn one from)"}
    return {"threshold": threshold, "quiet_when": quiet, "how": "the ranker's fixed threshold"}


def kb_scores(queries: list[dict[str, str]], offered: list[list[str]],
              ranked: list[list[str]]) -> dict[str, Any]:
    """hit@1, hit@3, MRR@10 as offered (abstaining is a miss), the same without abstaining, and abstention."""
    answerable = [i for i, q in enumerate(queries) if q["article_id"]]
    unanswerable = [i for i, q in enumerate(queries) if not q["article_id"]]
    abstained = {i for i, o in enumerate(offered) if not o}

    def hits(rows: list[list[str]], k: int) -> float | None:
        if not answerable:
            return None
        return round(sum(queries[i]["article_id"] in rows[i][:k] for i in answerable) / len(answerable), 4)

    def mrr(rows: list[list[str]]) -> float | None:
        if not answerable:
            return None
        gold = [(queries[i]["article_id"], rows[i]) for i in answerable]
        return round(sum(1 / (r.index(g) + 1) if g in r else 0.0 for g, r in gold) / len(gold), 4)

    shown = [[] if i in abstained else ranked[i] for i in range(len(queries))]
    right = len(abstained & set(unanswerable))
    first = sum(bool(shown[i]) and shown[i][0] == queries[i]["article_id"] for i in answerable)
    return {
        # Right article first when answering, silence when nothing fits, over every question.
        "full_accuracy": round((first + right) / len(queries), 4) if queries else None,
        "answerable": len(answerable),
        "hit_at_1": hits(shown, 1), "hit_at_3": hits(shown, 3), "mrr": mrr(shown),
        "without_abstaining": {"hit_at_1": hits(ranked, 1), "hit_at_3": hits(ranked, 3), "mrr": mrr(ranked)},
        "unanswerable": len(unanswerable), "abstained": len(abstained),
        "abstain_precision": round(right / len(abstained), 4) if abstained else None,
        "abstain_recall": round(right / len(unanswerable), 4) if unanswerable else None,
    }


def backtest_route(train: list[dict[str, str]], test: list[dict[str, str]], *, classifier: Any = None
                   ) -> dict[str, Any]:
    """Learn teams from the training rows, predict the test rows; accuracy and macro-F1."""
    from adapters.search.classifier import LinearTextClassifier
    from adapters.search.features import best_features
    from adapters.search.scoring import macro_f1

    rows = [r for r in train if r["team"]]
    model = classifier or LinearTextClassifier(best_features())
    started = time.perf_counter()
    model.fit([r["text"] for r in rows], [r["team"] for r in rows])
    predicted = [p[0][0] if p else "" for p in model.predict([r["text"] for r in test], limit=1)]
    truth = [r["team"] for r in test]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / max(1, len(truth))
    return {"n_train": len(rows), "n_test": len(test), "backend": model.features.name,
            "accuracy": round(accuracy, 4), "macro_f1": round(macro_f1(truth, predicted), 4),
            "seconds": round(time.perf_counter() - started, 2)}


def backtest_causes(tickets: list[dict[str, str]], *, clusterer: Any = None) -> dict[str, Any]:
    """Cluster the texts without their labels, then score the clusters against the labels."""
    from adapters.search.clustering import best_clusterer
    from adapters.search.scoring import cluster_scores

    engine = clusterer or best_clusterer()
    texts = [t["text"] for t in tickets]  # the clusterer sees texts only: labels are for scoring
    started = time.perf_counter()
    clusters = engine.cluster(texts)
    seconds = time.perf_counter() - started
    labels = [t["label"] for t in tickets]
    return {"n": len(texts), "backend": engine.name, **cluster_scores(labels, clusters),
            "causes_found": len(set(clusters)), "labels": len(set(labels)), "seconds": round(seconds, 2)}
