"""Key phrases of a group of texts, c-TF-IDF style: frequent in the group, rare in the other groups."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

_STOP_TEXT = """
a about above after again all am an and any are as at be because been before being below between both but by
can cannot could did do does doing don down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just let me more most my no nor not now of off on once only or
other our ours out over own same she should so some such than that the their them then there these they this
those through to too under until up very was we were what when where which while who whom why will with would
you your yours yourself hi hello please thanks thank regards dear hey still get got since yet also need want
can't cant don't doesn't didn't won't isn't aren't wasn't weren't couldn't wouldn't shouldn't haven't hasn't
hadn't i'm i've i'd i'll it's that's there's what's let's you're we're they're
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
WORD = re.compile(r"[a-z0-9][a-z0-9'+#.-]*[a-z0-9]|[a-z]")


def terms(text: str) -> list[str]:
    """Content words and two-word phrases of a text, lower-cased."""
    words = [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS and not w.isdigit()]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def key_phrases(groups: Mapping[str, Sequence[str]], top: int = 5) -> dict[str, tuple[str, ...]]:
    """For each group of texts, its `top` phrases by class-based TF-IDF."""
    counts = {key: Counter(t for text in texts for t in terms(text)) for key, texts in groups.items()}
    overall: Counter[str] = Counter()
    for c in counts.values():
        overall.update(c)
    average = sum(overall.values()) / max(1, len(counts))
    out: dict[str, tuple[str, ...]] = {}
    for key, c in counts.items():
        total = sum(c.values()) or 1
        # Two-word phrases read better than their words alone, so they get a head start.
        scored = {t: (n / total) * math.log(1 + average / overall[t]) * (1.5 if " " in t else 1.0)
                  for t, n in c.items() if n > 1 or len(c) < 20}
        out[key] = _distinct(sorted(scored, key=lambda t: (-scored[t], t)), top)
    return out


def _distinct(ranked: list[str], top: int) -> tuple[str, ...]:
    # A word already inside a chosen phrase adds nothing a reader does not see.
    chosen: list[str] = []
    for phrase in ranked:
        seen = {w for c in chosen for w in c.split()}
        if phrase in seen or all(w in seen for w in phrase.split()):
            continue
        chosen.append(phrase)
        if len(chosen) == top:
            break
    return tuple(chosen)


def title_from(phrases: Sequence[str]) -> str:
    """A readable cause title from its key phrases."""
    return ", ".join(phrases[:3]).capitalize() if phrases else "Unnamed cause"
