"""Time and peak memory to re-cluster 10k, 100k and 1M tickets, and to assign one new ticket.

    python -m bench.causes [10000 100000 1000000] [--semantic] [--vectors]

Ticket texts are real (IT help desk and Banking77 from ../shared/data), drawn with replacement and given
two words of another ticket each so that no two are copies. Each size runs in its own process so that
its peak memory (ru_maxrss) is its own. Aim: 100k re-clustered in under 5 minutes, one ticket assigned in
under 5 ms, light install, 2 cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import subprocess
import sys
import time

from adapters.search.clustering import WardClusterer, semantic_clusterer
from adapters.search.features import LexicalFeatures
from adapters.search.tfidf import TfidfRetriever
from bench.quality import banking, helpdesk
from core.cause_matching import CauseMatcher
from core.causes import Cause


def corpus(n: int, seed: int = 0) -> list[str]:
    """n ticket texts drawn from the real data sets, each lightly varied."""
    pool = [r["text"] for r in helpdesk()] + [t for t, _ in banking("train")]
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        extra = rnd.choice(pool).split()
        out.append(f"{rnd.choice(pool)} {' '.join(rnd.sample(extra, min(2, len(extra))))}")
    return out


def measure(n: int, semantic: bool) -> dict[str, object]:
    """Cluster n tickets, then assign 500 new ones one at a time; seconds and peak memory."""
    texts = corpus(n)
    logging.info("bench: %d texts drawn", n)
    clusterer = semantic_clusterer() if semantic else WardClusterer()
    started = time.perf_counter()
    labels = clusterer.cluster(texts)
    cluster_seconds = time.perf_counter() - started
    logging.info("bench: clustered in %.0f s", cluster_seconds)
    causes = [Cause(key=f"c{k}", title=f"cause {k}") for k in sorted(set(labels))]
    matcher = CauseMatcher(TfidfRetriever(chars=False))  # as wired: words only keeps assignment fast
    started = time.perf_counter()
    # As the stored cause index is built (adapters/model_kinds.py): each cause's newest texts, not every
    # ticket as an object.
    newest: dict[str, list[str]] = {c.key: [] for c in causes}
    for text, k in zip(reversed(texts), reversed(labels), strict=True):
        bucket = newest[f"c{k}"]
        if len(bucket) < matcher.per_cause:
            bucket.append(f" {text}")
    del texts
    matcher.load_texts(causes, newest)
    load_seconds = time.perf_counter() - started
    new = corpus(500, seed=1)
    started = time.perf_counter()
    assigned = sum(matcher.match(t) is not None for t in new)
    per_ticket_ms = (time.perf_counter() - started) / len(new) * 1000
    return {"tickets": n, "backend": clusterer.name, "causes_found": len(causes),
            "cluster_seconds": round(cluster_seconds, 1), "matcher_load_seconds": round(load_seconds, 1),
            "assign_ms_per_ticket": round(per_ticket_ms, 2), "assigned_share": round(assigned / len(new), 3),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def measure_vectors(n: int) -> dict[str, object]:
    """Only the vectors step (where a million tickets peaked): seconds and peak memory."""
    texts = corpus(n)
    drawn = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    vectors = WardClusterer().vectors(texts, LexicalFeatures(chars=None))  # as cluster() does above 20k
    return {"tickets": n, "vectors": list(vectors.shape), "dtype": str(vectors.dtype),
            "seconds": round(time.perf_counter() - started, 1), "texts_peak_mb": round(drawn),
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str] | None = None) -> int:
    """Run each size in a fresh process and print one JSON line per size."""
    p = argparse.ArgumentParser(prog="python -m bench.causes")
    p.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    p.add_argument("--semantic", action="store_true", help="embeddings (needs the semantic extra)")
    p.add_argument("--vectors", action="store_true", help="only the vectors step (its peak memory)")
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    if args.one:
        result = measure_vectors(args.sizes[0]) if args.vectors else measure(args.sizes[0], args.semantic)
        print(json.dumps(result), flush=True)
        return 0
    for n in args.sizes:
        flags = ["--one", *(["--semantic"] if args.semantic else [])]
        flags += ["--vectors"] if args.vectors else []
        cmd = [sys.executable, "-m", "bench.causes", str(n), *flags]
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
