"""A disk cache of sentence embeddings for the quality benches: embed each data set once, not per run.

Embedding the IT help desk alone takes about ten minutes on 2 cores; five-fold cross-validation
and repeated runs would otherwise pay it every time. The cache only stores what the encoder returned for
a text, so a cached run gives the same figures as an uncached one.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from adapters.search.encoders import chosen
from adapters.search.features import SemanticFeatures

CACHE = Path(os.environ.get("FIXLOOP_BENCH_CACHE", Path(__file__).resolve().parents[1] / "var" / "bench"))
FILE = CACHE / f"{chosen().name}-embeddings.npz"  # one file per encoder (FIXLOOP_ENCODER)


def load(features: SemanticFeatures, path: Path = FILE) -> int:
    """Fill the features' in-memory cache from disk; returns how many texts were loaded."""
    if not path.is_file():
        return 0
    with np.load(path, allow_pickle=False) as data:
        texts, vectors = data["texts"], data["vectors"]
    features.remember([str(t) for t in texts], vectors)
    return len(texts)


def save(features: SemanticFeatures, path: Path = FILE) -> int:
    """Write the in-memory cache to disk (atomically); returns how many texts were saved."""
    texts, vectors = features.remembered()
    if not texts:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")  # per process: two benches saving at once lost a run
    np.savez(tmp, texts=np.array(texts, dtype=str), vectors=vectors)
    tmp.replace(path)
    return len(texts)


def warm() -> int:
    """Embed every text of the shared data sets into the cache, saving as it goes."""
    from bench import quality  # late: quality imports this module

    features = quality.SHARED_SEMANTIC
    load(features)
    clinc = quality.clinc()
    groups = {
        "banking77": [t for split in ("train", "test") for t, _ in quality.banking(split)],
        "banking77 articles": articles(quality.articles_from(quality.banking("train"))),
        "clinc150": [t for rows in clinc.values() for t, _ in rows],
        "clinc150 articles": articles(quality.articles_from(clinc["train"])),
        "stackfaq articles": articles([a for a, _ in quality.stackfaq()]),
        "stackfaq": [q for _, qs in quality.stackfaq() for q in qs],
        "it-helpdesk": [r["text"] for r in quality.helpdesk()],
    }
    for name, texts in groups.items():
        known = set(features.remembered()[0])
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        for i in range(0, len(todo), 5_000):
            features.transform(todo[i:i + 5_000])
            save(features)
            print(f"{name}: {min(i + 5_000, len(todo))}/{len(todo)} embedded", flush=True)
    return len(features.remembered()[0])


def articles(rows: list[dict[str, str]]) -> list[str]:
    """The texts articles are indexed by, as the ranker builds them."""
    from core.kb import Article, article_text

    return [article_text(Article(id=r["id"], title=r["title"], body=r["body"])) for r in rows]


if __name__ == "__main__":
    print(f"{warm()} texts cached in {FILE}")
