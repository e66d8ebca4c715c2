"""Learnt routing: where past escalations of similar tickets went, and which tier 1 could have kept."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from core.org import Org
from core.tickets import Judgement, Ticket


class TextClassifier(Protocol):
    """Learns labels for texts; see adapters/search/classifier.py."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        """Learn from (text, label) examples, replacing what was learnt before."""
        ...

    def predict(self, texts: Sequence[str], limit: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, the likely labels with a probability, best first."""
        ...


class TeamRouter:
    """Predicts the owning team of an escalation from the text of past ones."""

    def __init__(self, classifier: TextClassifier, *, min_confidence: float = 0.5,
                 min_examples: int = 10) -> None:
        self.classifier = classifier
        self.min_confidence = min_confidence  # below this the form is left for the agent to fill
        self.min_examples = min_examples
        self.examples = 0

    def learn(self, tickets: Iterable[Ticket], org: Org) -> int:
        """Learn from escalated tickets (not-needed ones teach "tier 1 keeps this"); returns the count."""
        return self.learn_pairs([(f"{t.subject} {t.text}", label) for t in tickets
                                 if (label := routing_label(t, org))])

    def learn_pairs(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Learn from (text, team) pairs of past escalations; returns the count."""
        self.examples = len(pairs)
        if self.examples >= self.min_examples:
            self.classifier.fit([text for text, _ in pairs], [label for _, label in pairs])
        return self.examples

    def predict(self, text: str) -> tuple[str, float] | None:
        """The likely team and its probability, or None when history is too thin or the guess too weak."""
        if self.examples < self.min_examples or not text.strip():
            return None
        ranked = self.classifier.predict([text], limit=1)[0]
        if not ranked or ranked[0][1] < self.min_confidence:
            return None
        return ranked[0]


def routing_label(ticket: Ticket, org: Org) -> str | None:
    """The team a past escalation teaches: the triage team when judged not needed, else where it went."""
    judgement = ticket.escalation_judgement.value if ticket.escalation_judgement else None
    return escalation_label(ticket.escalated_to, judgement, org)


def escalation_label(escalated_to: str | None, judgement: str | None, org: Org) -> str | None:
    """routing_label from the stored columns: the triage team when judged not needed, else the team."""
    if not escalated_to:
        return None
    if judgement == Judgement.NOT_NEEDED.value:
        return org.triage_team
    team = org.team(escalated_to)
    return team.key if team else None
