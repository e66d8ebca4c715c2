"""`fixloop backtest kb --by COLUMN`: each business (surface, deployment) on its own, as the bot would run it.

Businesses differ in how many questions have no article and in how their questions are worded; each gets
its own learnt abstention threshold (adapters/search/abstention.py), and the report says, per business,
which threshold was learnt and how, so an admin can see why the bot stays quiet there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.kb import Ranker

SUMMARY = ("n", "full_accuracy", "answerable", "unanswerable", "hit_at_1", "hit_at_3", "abstained",
           "abstain_precision", "abstain_recall", "calibration_error", "without_abstaining", "abstention")


def backtest_kb_by(by: str, articles: list[dict[str, str]], history: list[dict[str, str]],
                   queries: list[dict[str, str]], *, ranker: Callable[[], Ranker]) -> dict[str, Any]:
    """backtest_kb per value of the `by` column; full accuracy over all questions, and each business's."""
    from bot.backtest import backtest_kb

    names = sorted({r[by] for r in articles} | {r[by] for r in queries})
    per: dict[str, dict[str, Any]] = {}
    for name in names:
        asked = [q for q in queries if q[by] == name]
        if not asked:
            continue
        result = backtest_kb([a for a in articles if a[by] == name], [h for h in history if h[by] == name],
                             asked, ranker=ranker())
        per[name] = {k: result[k] for k in SUMMARY if k in result}
    n = sum(r["n"] for r in per.values())
    right = sum((r["full_accuracy"] or 0.0) * r["n"] for r in per.values())
    return {"n": n, "full_accuracy": round(right / n, 4) if n else None, "by": by, "businesses": per}
