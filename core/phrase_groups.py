"""Texts grouped by a telling phrase they share, named by it: the gaps' groups for tickets no cause holds."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Sequence

from core.key_phrases import terms

# Two-word phrases name a group better than a word alone, as in key_phrases.
PHRASE_BONUS = 1.5
# How much rarer phrases are preferred (their IDF to this power): with plain IDF a word many kinds of ticket
# use ("card", "account") took a quarter of them into one group. Chosen by ARI against the labels on
# Banking77's training split and CLINC150's validation split (300 questions per draw, powers 1 to 8; ARI
# peaked at 4 on both); bench/gap_groups.py measures the test splits.
SHARPNESS = 4


def group_by_phrase(texts: Sequence[str], background: Sequence[str] = (),
                    min_size: int = 2) -> list[tuple[str, list[int]]]:
    """Groups of at least `min_size` texts (indices into `texts`), each named by a phrase all of them use.

    Greedy: the phrase used by most of the texts not yet grouped, weighed by how rare it is among all the
    texts and `background` (so "billing menu" beats a word every ticket uses), takes every text still free
    that uses it; then the next. A text that shares no phrase with another stays out. Deterministic: ties
    go to the phrase first in alphabetical order.
    """
    own, users, weight = _index(texts, background, min_size)
    heap = [(-len(ids) * weight[t], t) for t, ids in users.items()]
    heapq.heapify(heap)
    groups: list[tuple[str, list[int]]] = []
    while heap:
        score, phrase = heapq.heappop(heap)
        free = users[phrase]
        if len(free) < min_size:
            continue
        if -score > len(free) * weight[phrase]:  # texts it held went to an earlier phrase: score it again
            heapq.heappush(heap, (-len(free) * weight[phrase], phrase))
            continue
        members = sorted(free)
        groups.append((phrase, members))
        for i in members:
            for t in own[i]:
                users[t].discard(i)
    return groups


def _index(texts: Sequence[str], background: Sequence[str],
           min_size: int) -> tuple[list[set[str]], dict[str, set[int]], dict[str, float]]:
    """Each text's phrases that at least `min_size` texts use, the texts using each, and each one's weight."""
    every = [set(terms(text)) for text in texts]
    counts = Counter(t for ts in every for t in ts)
    # A phrase fewer than min_size texts use can never name a group: it is dropped before any bookkeeping.
    shared = {t for t, n in counts.items() if n >= min_size}
    own = [ts & shared for ts in every]
    users: dict[str, set[int]] = {t: set() for t in shared}
    for i, ts in enumerate(own):
        for t in ts:
            users[t].add(i)
    used = Counter(t for text in background for t in shared.intersection(terms(text)))
    total = len(texts) + len(background)
    weight = {t: math.log(1 + total / (counts[t] + used[t])) ** SHARPNESS
              * (PHRASE_BONUS if " " in t else 1.0) for t in shared}
    return own, users, weight
