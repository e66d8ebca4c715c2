"""One small exception per domain failure; adapters turn them into user-facing messages."""


class FixloopError(Exception):
    """Base of every domain failure; its message is safe to show to the user."""


class TicketNotFound(FixloopError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"No ticket {ticket_id!r}.")
        self.ticket_id = ticket_id


class CauseNotFound(FixloopError):
    def __init__(self, key: str) -> None:
        super().__init__(f"No cause {key!r}.")
        self.key = key


class EscalationNotFound(FixloopError):
    def __init__(self, escalation_id: str) -> None:
        super().__init__(f"No escalation {escalation_id!r}.")
        self.escalation_id = escalation_id


class ReviewNotFound(FixloopError):
    def __init__(self, review_id: str) -> None:
        super().__init__(f"No ticket review {review_id!r}.")
        self.review_id = review_id


class UnknownTeam(FixloopError):
    def __init__(self, team: str, known: list[str]) -> None:
        super().__init__(f"No team {team!r}. Known teams: {', '.join(known) or 'none configured'}.")
        self.team = team


class NotAllowed(FixloopError):
    """The person lacks the role an action needs."""


class InvalidTransition(FixloopError):
    """The action does not fit the ticket's current state."""


class InvalidInput(FixloopError):
    """The input is malformed or too large; the message says what to change."""


class DuplicateTicket(FixloopError):
    """A ticket with this id or chat thread exists already (two deliveries raced)."""


class Conflict(Exception):  # not a FixloopError: nothing the person did is wrong; a retry is the answer
    """Another process changed what a use case read before it could commit; retry from a fresh read."""
