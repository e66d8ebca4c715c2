"""How well the knowledge gaps group tickets that no cause holds: by a shared phrase, against the first word.

    python -m bench.gap_groups [--samples 20] [--size 300]

Every question of a labelled test split (Banking77, 77 intents; CLINC150 in-scope, 150 intents) plays a
ticket solved without an article and without a cause, the worst case for `fixloop gaps`: the labels stand
in for the article each group is missing. Two groupings run side by side on the same questions: the
first content word of each (how gaps were grouped before) and `core.phrase_groups.group_by_phrase`. Each
is scored on the whole split and on `--samples` random draws of `--size` questions (a deployment's few
hundred such tickets): the share of questions in a group of two or more, purity (the share of grouped
questions whose group's commonest label is their own), NMI and ARI over the grouped questions, and the
ten largest groups (what `fixloop gaps` lists per surface): their purity and the share of questions they
hold. Nothing is fitted or tuned on these splits (`phrase_groups.SHARPNESS` was chosen on Banking77's
training split and CLINC150's validation split).

Cost: both groupings timed on 10,000 and 50,000 real texts (`core.knowledge.GAP_TICKETS` bounds the
tickets a gap list reads at 50,000, however large the ledger), best of three, as a ratio to the first word.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from bench.causes import corpus
from bench.quality import banking, clinc
from core.key_phrases import terms
from core.phrase_groups import group_by_phrase

Grouping = Callable[[Sequence[str]], list[tuple[str, list[int]]]]
TOP = 10  # gaps listed per surface


def first_word(texts: Sequence[str]) -> list[tuple[str, list[int]]]:
    """The grouping gaps used before: each text under its first content word, groups of two or more."""
    groups: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        words = [w for w in terms(text) if " " not in w]
        groups.setdefault(words[0] if words else "", []).append(i)
    return [(k, v) for k, v in groups.items() if len(v) >= 2]


def shared_phrase(texts: Sequence[str]) -> list[tuple[str, list[int]]]:
    """The grouping gaps use now."""
    return group_by_phrase(texts)


def score(groups: list[tuple[str, list[int]]], labels: Sequence[str]) -> dict[str, float]:
    """Coverage, purity, NMI, ARI, and the ten largest groups' purity and share."""
    grouped = [(g, i) for g, (_, members) in enumerate(groups) for i in members]
    if not grouped:
        return dict.fromkeys(("covered", "purity", "nmi", "ari", "top_purity", "top_share"), 0.0)
    truth, found = [labels[i] for _, i in grouped], [g for g, _ in grouped]
    majority = [Counter(labels[i] for i in m).most_common(1)[0][1] for _, m in groups]
    top = sorted(range(len(groups)), key=lambda g: -len(groups[g][1]))[:TOP]
    top_size = sum(len(groups[g][1]) for g in top)
    return {"covered": len(grouped) / len(labels), "purity": sum(majority) / len(grouped),
            "nmi": normalized_mutual_info_score(truth, found), "ari": adjusted_rand_score(truth, found),
            "top_purity": sum(majority[g] for g in top) / top_size, "top_share": top_size / len(labels),
            "groups": float(len(groups))}


def measure(name: str, rows: list[tuple[str, str]], samples: int, size: int) -> None:
    """Print both groupings' figures on the whole split and the mean over random draws."""
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    rnd = random.Random(0)
    draws = [rnd.sample(range(len(rows)), size) for _ in range(samples)]
    for method, grouping in (("first word", first_word), ("shared phrase", shared_phrase)):
        whole = score(grouping(texts), labels)
        parts = [score(grouping([texts[i] for i in d]), [labels[i] for i in d]) for d in draws]
        mean = {k: statistics.mean(p[k] for p in parts) for k in whole}
        for scope, s in ((f"all {len(rows)}", whole), (f"{samples} x {size}", mean)):
            print(f"{name:9} {method:13} {scope:10} covered {s['covered']:.3f}  purity {s['purity']:.3f}  "
                  f"NMI {s['nmi']:.3f}  ARI {s['ari']:.3f}  top {TOP}: purity {s['top_purity']:.3f} "
                  f"share {s['top_share']:.3f}  groups {s['groups']:.0f}")


def cost(sizes: Sequence[int] = (10_000, 50_000)) -> None:
    """Seconds per grouping at each size, best of three, and the ratio of the two."""
    for n in sizes:
        texts = corpus(n)
        best = {}
        for name, grouping in (("first word", first_word), ("shared phrase", shared_phrase)):
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                grouping(texts)
                runs.append(time.perf_counter() - started)
            best[name] = min(runs)
        old, new = best["first word"], best["shared phrase"]
        print(f"{n:>6} texts: first word {old:.2f} s, shared phrase {new:.2f} s (ratio {new / old:.1f})")


def main() -> None:
    """Both data sets, both groupings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args()
    print(f"command: python -m bench.gap_groups --samples {args.samples} --size {args.size}")
    measure("banking77", banking("test"), args.samples, args.size)
    measure("clinc150", clinc()["test"], args.samples, args.size)
    cost()


if __name__ == "__main__":
    main()
