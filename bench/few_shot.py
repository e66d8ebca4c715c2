"""Abstention where a business has only a few examples per article and many questions have no article.

    python -m bench.few_shot [--shots 5,10,20] [--light] [--json] [--split test|val] [--declines N]

Issue 16's unseen set is small businesses' live bots: a few examples per article as history, and a third
to two thirds of the questions matching no article. This bench builds the nearest thing from CLINC150
(Larson et al. 2019, ../shared/data/clinc150): each of its 10 domains is one business. A third of the
domain's 15 intents (every third, by name) are withheld: no article, no history, their test questions
become "no article fits" (in-domain, the hard kind); the other 10 intents are articles (title plus 2
training examples) with `shots` training examples each as history; as many of CLINC150's own
out-of-scope test questions as the withheld ones are mixed in, so half of each business's questions have
no article (`--split val`: the same from the validation questions, to compare settings). The abstention
is learnt from that history alone (adapters/search/abstention.py); no test figure was used to choose a
setting. Prints per business and on average: full accuracy (right article first
when answering, silence when nothing fits), abstention precision and recall, in-scope hit@3 against not
abstaining, the confidence's calibration error, and the threshold learnt and how.

`--declines N`: the same business some weeks on, with N *I still need help* questions on record: half
about its withheld intents, half out of scope, drawn from CLINC150's training questions (the asked ones
come from the test or validation split, so none is asked twice).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from typing import Any

from adapters.search.features import semantic_available
from bench import embedding_cache
from bench.open_world import ranker
from bench.quality import SHARED_SEMANTIC, articles_from, clinc, data_dir, rows
from bot.backtest import backtest_kb

WITHHELD_EVERY = 3  # a third of each business's intents have no article
ARTICLE_EXAMPLES = 2  # what an article's body holds besides its title


def businesses() -> dict[str, list[str]]:
    """CLINC150's domains and their intents."""
    return dict(json.loads((data_dir() / "clinc150" / "domains.json").read_text(encoding="utf-8")))


def business(
    domain: str, intents: list[str], shots: int, data: dict[str, Any], light: bool, split: str = "test",
    declines: int = 0,
) -> dict[str, Any]:
    """One business: its articles, its few-shot history, its half-unanswerable questions, scored."""
    withheld = set(sorted(intents)[::WITHHELD_EVERY])
    kept = [i for i in intents if i not in withheld]
    rnd = random.Random(f"{domain}:{shots}")
    history: list[tuple[str, str]] = []
    for intent in kept:
        examples = [t for t, i in data["train"] if i == intent]
        history += [(t, intent) for t in rnd.sample(examples, shots)]
    articles = articles_from(history, per_article=ARTICLE_EXAMPLES, seed=0)
    if declines:  # what people asked that no article answered, and were helped with by a person
        near = [t for t, i in data["train"] if i in withheld]
        history += [(t, "") for t in rnd.sample(near, declines // 2)]
        history += [(t, "") for t in rnd.sample([t for t, _ in data["oos_train"]], declines - declines // 2)]
    test = [(t, i) for t, i in data[split] if i in kept]
    unanswerable = [(t, "") for t, i in data[split] if i in withheld]
    unanswerable += [(t, "") for t, _ in rnd.sample(data[f"oos_{split}"], len(unanswerable))]
    result = backtest_kb(articles, rows(history, "article_id"), rows(test + unanswerable, "article_id"),
                         ranker=ranker(light, False))  # fmt: skip
    keys = ("full_accuracy", "abstain_precision", "abstain_recall", "hit_at_3", "calibration_error")
    out = {k: result[k] for k in keys}
    out["hit_at_3_without_abstaining"] = result["without_abstaining"]["hit_at_3"]
    out["questions"], out["unanswerable"] = result["n"], result["unanswerable"]
    out["abstention"] = result["abstention"]
    return out


def summary(per: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The mean of each figure over the businesses (None where a business had none)."""
    keys = ("full_accuracy", "abstain_precision", "abstain_recall", "hit_at_3", "hit_at_3_without_abstaining",
            "calibration_error")  # fmt: skip
    out: dict[str, Any] = {}
    for k in keys:
        values = [b[k] for b in per.values() if b[k] is not None]
        out[k] = round(statistics.fmean(values), 4) if values else None
    out["businesses_abstaining_on_nothing"] = sum(1 for b in per.values() if not b["abstain_recall"])
    return out


def main(argv: list[str] | None = None) -> int:
    """Score every business at each number of examples per article."""
    parser = argparse.ArgumentParser(prog="python -m bench.few_shot")
    parser.add_argument("--shots", default="5,10,20", help="history examples per article, comma-separated")
    parser.add_argument("--light", action="store_true", help="TF-IDF only, even with the semantic extra")
    parser.add_argument("--json", action="store_true", help="every business's figures, as JSON")
    parser.add_argument("--split", choices=("test", "val"), default="test",
                        help="val: CLINC150's validation questions, to compare settings, not test")
    parser.add_argument("--declines", type=int, default=0,
                        help="'I still need help' questions on record per business (default 0)")
    args = parser.parse_args(argv)
    semantic = not args.light and semantic_available()
    if semantic:
        embedding_cache.load(SHARED_SEMANTIC)
    data, out = clinc(), {}
    for shots in [int(s) for s in args.shots.split(",")]:
        started = time.perf_counter()
        split, light = args.split, args.light
        per = {d: business(d, i, shots, data, light, split, args.declines)
               for d, i in sorted(businesses().items())}
        out[f"{shots} shots"] = {"mean": summary(per), "businesses": per,
                                 "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
        print(f"{shots} shots: {json.dumps(out[f'{shots} shots']['mean'])}", file=sys.stderr)
    if semantic:
        embedding_cache.save(SHARED_SEMANTIC)
    if args.json:
        print(json.dumps(out, indent=2))
    print(f"command: python -m bench.few_shot {' '.join(argv or sys.argv[1:])} "
          f"({'semantic' if semantic else 'light'})", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
