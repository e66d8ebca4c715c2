"""Measure suggestion, abstention, routing and causes on the public data sets in ../shared/data.

    python -m bench.quality [kb|clinc|stackfaq|route|causes ...] [--light] [--json]

Fits and tunes on training/validation splits only; every figure printed is on a test split.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from adapters.search.classifier import LinearTextClassifier
from adapters.search.clustering import WardClusterer
from adapters.search.features import CombinedFeatures, LexicalFeatures, SemanticFeatures, semantic_available
from adapters.search.ranker import LearnedRanker
from bench import embedding_cache
from bot.backtest import backtest_causes, backtest_kb, backtest_route, kb_scores
from core.kb import Article, Library, SuggestionPolicy

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHARED_SEMANTIC = SemanticFeatures()


def data_dir() -> Path:
    """The shared data folder, or exit with a clear message."""
    if not (DATA / "README.md").is_file():
        sys.exit(f"bench: no data at {DATA}; the data sets live in ../shared/data beside the repo "
                 "(see its README)")
    return DATA


def banking(split: str) -> list[tuple[str, str]]:
    """Banking77 (text, intent) rows of a split."""
    with (data_dir() / "banking77" / f"{split}.csv").open(encoding="utf-8") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def articles_from(examples: list[tuple[str, str]], per_article: int = 5,
                  seed: int = 0) -> list[dict[str, str]]:
    """One article per label: its title plus a few training examples as the body (cold start)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in examples:
        by_label[label].append(text)
    rnd = random.Random(seed)
    return [{"id": label, "title": label.replace("_", " "),
             "body": "\n".join(rnd.sample(texts, min(per_article, len(texts))))}
            for label, texts in sorted(by_label.items())]


def features(light: bool) -> Any:
    """Lexical features, or lexical plus semantic when the extra is installed and not refused."""
    if light or not semantic_available():
        return LexicalFeatures()
    return CombinedFeatures(semantic=SHARED_SEMANTIC)


def rows(pairs: list[tuple[str, str]], key: str) -> list[dict[str, str]]:
    """(text, label) pairs as CSV-like rows with the label under `key`."""
    return [{"text": t, key: label} for t, label in pairs]


def bench_kb(light: bool) -> dict[str, Any]:
    """Banking77: cold start (5 examples per article) and with history (the training split)."""
    train, test = banking("train"), banking("test")
    arts, queries = articles_from(train), rows(test, "article_id")
    never = SuggestionPolicy(min_score=0.0)  # ranking quality alone; abstention is measured on CLINC150
    cold = backtest_kb(arts, [], queries, ranker=LearnedRanker(features(light)), policy=never)
    hist = backtest_kb(arts, rows(train, "article_id"), queries, ranker=LearnedRanker(features(light)),
                       policy=never)
    return {"banking77_cold": cold, "banking77_history": hist}


def clinc() -> dict[str, list[tuple[str, str]]]:
    """CLINC150 splits as (text, intent) with out-of-scope intents blanked."""
    raw = json.loads((data_dir() / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    return {k: [(t, "" if k.startswith("oos") else i) for t, i in v] for k, v in raw.items()}


def bench_clinc(light: bool) -> dict[str, Any]:
    """CLINC150 with history: the abstention threshold is tuned on validation, scored on test.

    Measured twice: with in-scope history only, and with `oos_train` as "no article fits" history
    (tickets a person solved after the offered articles did not), which Fixloop learns from too.
    """
    data = clinc()
    arts = articles_from(data["train"])
    val = rows(data["val"] + data["oos_val"], "article_id")
    test = rows(data["test"] + data["oos_test"], "article_id")
    out = {}
    in_scope, no_article = rows(data["train"], "article_id"), rows(data["oos_train"], "article_id")
    for name, hist in (("clinc150_history", in_scope),
                       ("clinc150_history_no_article", in_scope + no_article)):
        ranker = LearnedRanker(features(light))
        threshold = tune_threshold(arts, hist, val, ranker)
        result = backtest_kb(arts, hist, test, ranker=ranker, policy=SuggestionPolicy(min_score=threshold))
        out[name] = {**result, "threshold": threshold, "shipped_threshold": ranker.abstain_below}
    return out


def tune_threshold(arts: list[dict[str, str]], hist: list[dict[str, str]], val: list[dict[str, str]],
                   ranker: LearnedRanker, max_loss: float = 0.02) -> float:
    """The highest threshold whose in-scope hit@3 loss on validation stays within max_loss."""
    library = Library(ranker)
    library.load([Article(id=a["id"], title=a["title"], body=a["body"]) for a in arts],
                 [(h["text"], h["article_id"]) for h in hist])
    library.refit()
    scored = [ranker.search(q["text"], limit=10) for q in val]
    ranked = [[aid for aid, _ in r] for r in scored]
    best = 0.0
    for step in range(1, 100):
        t = step / 100
        offered = [r if s and s[0][1] >= t else [] for r, s in zip(ranked, scored, strict=True)]
        r = kb_scores(val, offered, ranked)
        print(f"  threshold {t:.2f}: hit@3 {r['hit_at_3']} P {r['abstain_precision']} "
              f"R {r['abstain_recall']}", file=sys.stderr)
        if r["without_abstaining"]["hit_at_3"] - r["hit_at_3"] > max_loss:
            break
        best = t
    return best


def stackfaq() -> list[tuple[dict[str, str], list[str]]]:
    """StackFAQ threads as (article, paraphrased questions); `*` placeholders dropped."""
    raw = json.loads((data_dir() / "stackfaq" / "stackExchange-FAQ.json").read_text(encoding="utf-8"))
    out = []
    for i, qa in enumerate(raw["root"]["qapair"]):
        art = {"id": f"faq{i}", "title": qa["question"], "body": "\n".join(qa["answer"])}
        out.append((art, [q for q in qa["rephr"] if q and q.strip() and q.strip() != "*"]))
    return out


def bench_stackfaq(light: bool) -> dict[str, Any]:
    """StackFAQ: real articles; cold start on every paraphrase, and with half the paraphrases as history."""
    threads = stackfaq()
    arts = [a for a, _ in threads]
    never = SuggestionPolicy(min_score=0.0)
    every = [{"text": q, "article_id": a["id"]} for a, qs in threads for q in qs]
    cold = backtest_kb(arts, [], every, ranker=LearnedRanker(features(light)), policy=never)
    hist = [{"text": q, "article_id": a["id"]} for a, qs in threads for q in qs[0::2]]
    held = [{"text": q, "article_id": a["id"]} for a, qs in threads for q in qs[1::2]]
    warm = backtest_kb(arts, hist, held, ranker=LearnedRanker(features(light)), policy=never)
    return {"stackfaq_cold": cold, "stackfaq_history_half": warm}


def bench_route(light: bool) -> dict[str, Any]:
    """Routing: Banking77 train/test, and the IT help desk by 5-fold cross-validation."""
    out = {"banking77_route": backtest_route(rows(banking("train"), "team"), rows(banking("test"), "team"),
                                             classifier=LinearTextClassifier(features(light)))}
    tickets = helpdesk()
    folds = [backtest_route([r for j, r in enumerate(tickets) if j % 5 != k],
                            [r for j, r in enumerate(tickets) if j % 5 == k],
                            classifier=LinearTextClassifier(features(light))) for k in range(5)]
    out["it_helpdesk_route_cv5"] = {key: round(sum(f[key] for f in folds) / 5, 4)
                                    for key in ("accuracy", "macro_f1", "seconds")} | {"n": len(tickets)}
    return out


def helpdesk() -> list[dict[str, str]]:
    """The IT help-desk tickets, shuffled once with a fixed seed, as text/team rows."""
    with (data_dir() / "it-helpdesk" / "tickets.csv").open(encoding="utf-8") as f:
        out = [{"text": r["Document"], "team": r["Topic_group"], "label": r["Topic_group"]}
               for r in csv.DictReader(f)]
    random.Random(0).shuffle(out)
    return out


def bench_causes(light: bool) -> dict[str, Any]:
    """Causes with k not given: Banking77 test (3,080) and 10,000 IT help-desk tickets."""
    sem = not light and semantic_available()
    def make() -> WardClusterer:
        if sem:
            return WardClusterer(SHARED_SEMANTIC, threshold=1.0, per_micro=10)
        return WardClusterer()
    return {"banking77_causes": backtest_causes(rows(banking("test"), "label"), clusterer=make()),
            "it_helpdesk_causes_10k": backtest_causes(helpdesk()[:10_000], clusterer=make())}


BENCHES = {"kb": bench_kb, "clinc": bench_clinc, "stackfaq": bench_stackfaq, "route": bench_route,
           "causes": bench_causes}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benches and print their figures (embeddings cached on disk between runs)."""
    p = argparse.ArgumentParser(prog="python -m bench.quality")
    p.add_argument("which", nargs="*", default=list(BENCHES), choices=list(BENCHES))
    p.add_argument("--light", action="store_true", help="lexical back end even when the extra is installed")
    args = p.parse_args(argv)
    data_dir()
    if not args.light and semantic_available():
        embedding_cache.load(SHARED_SEMANTIC)
    for name in args.which:
        print(json.dumps(BENCHES[name](args.light), indent=2), flush=True)
    if not args.light and semantic_available():
        embedding_cache.save(SHARED_SEMANTIC)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
