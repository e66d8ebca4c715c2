"""Question fixtures for the abstention tests: twelve topics, each with its own words."""

from __future__ import annotations

import random

# Twelve topics, each with its own words; the first six have an article, the last six have none.
TOPICS = {
    "vpn": ["vpn", "tunnel", "disconnects", "globalprotect"],
    "printer": ["printer", "toner", "paper jam", "print queue"],
    "password": ["password", "reset", "locked out", "expired"],
    "laptop": ["laptop", "battery", "charger", "overheats"],
    "email": ["outlook", "mailbox", "inbox full", "calendar invite"],
    "wifi": ["wifi", "wireless", "access point", "signal"],
    "payroll": ["payslip", "salary", "bonus", "tax code"],
    "parking": ["parking", "garage", "permit", "car park"],
    "canteen": ["canteen", "lunch", "menu", "vegetarian"],
    "travel": ["flight", "hotel", "booking", "expenses trip"],
    "badge": ["badge", "door", "reception", "visitor pass"],
    "furniture": ["desk chair", "standing desk", "monitor arm", "ergonomic"],
}
FRAMES = ["my {a} is broken since {b}", "how do I fix the {a} {b} problem", "{a} not working, {b} again",
          "help with {a} and {b} please", "the {b} thing on my {a}", "urgent: {a} {b}",
          "can someone look at {a}? {b}", "{b} keeps happening with {a}", "is there a known {a} issue {b}",
          "{a} trouble today, {b}"]
WITH_ARTICLE = list(TOPICS)[:6]


def questions(topic: str, n: int, rnd: random.Random) -> list[str]:
    words = TOPICS[topic]
    return [rnd.choice(FRAMES).format(a=rnd.choice(words), b=rnd.choice(words)) for _ in range(n)]


def few_shot_world(seed: int = 2, per: int = 15, declines: int = 0) -> tuple[
        list[tuple[str, str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """A small business: eight articles with `per` past questions each and no "I still need help" on record,
    then 160 asked questions of which half are about eight topics no article covers, each a sibling that
    shares three words with an article's. A question holds one to three of its topic's words among
    everyday ones, so the ranker is often right without being sure: the history's one-point budget then
    keeps the bot talking where half the questions have no article.

    With `declines`, the history also holds that many *I still need help* questions about things no
    article covers and no article resembles, and the unanswerable questions asked are of that kind.

    Returns (id, title, body) articles, (text, article id) history, (text, article id or "") questions.
    """
    rnd = random.Random(seed)
    vocab = [f"w{i}" for i in range(400)]
    everyday = vocab[:60]
    topics = {f"t{k}": vocab[60 + 8 * k: 68 + 8 * k] for k in range(8)}
    siblings = [topics[f"t{k}"][:3] + vocab[200 + 8 * k: 205 + 8 * k] for k in range(8)]

    def question(words: list[str]) -> str:
        k = rnd.choice((1, 2, 3))
        return " ".join(rnd.sample(words, k) + rnd.sample(everyday, 6 - k))

    articles = [(t, f"{w[0]} {w[1]}", " ".join(w)) for t, w in topics.items()]
    history = [(question(w), t) for t, w in topics.items() for _ in range(per)]
    asked = [(question(w), t) for t, w in topics.items() for _ in range(10)]
    if declines:
        elsewhere = [vocab[300 + 8 * k: 308 + 8 * k] for k in range(12)]
        history += [(question(elsewhere[i % 12]), "") for i in range(declines)]
        return articles, history, asked + [(question(w), "") for w in elsewhere[:8] for _ in range(10)]
    asked += [(question(w), "") for w in siblings for _ in range(10)]
    return articles, history, asked
