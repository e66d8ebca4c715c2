"""Every Teams card action, input id and typed command Fixloop uses, in one place."""

from __future__ import annotations

from enum import StrEnum

PLATFORM = "teams"
ACTION_KEY = "fixloop"  # the key of the action id inside an Action.Submit's data


class Action(StrEnum):
    SOLVED = "solved"
    NEED_HELP = "need_help"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    ESCALATE = "escalate"  # opens the escalation form
    ESCALATE_SUBMIT = "escalate_submit"
    JUDGE_NEEDED = "judge_needed"
    JUDGE_NOT_NEEDED = "judge_not_needed"
    ROOT_CAUSE = "root_cause"
    LINK_FIX = "link_fix"
    FIX_SHIPPED = "fix_shipped"
    CSAT = "csat"
    CSAT_NOT_SOLVED = "csat_not_solved"
    REVIEW_SUBMIT = "review_submit"
    FOLLOW_UP_CHANGED = "follow_up_changed"
    FOLLOW_UP_NOT_YET = "follow_up_not_yet"
    FILE_FIX = "file_fix"
    FIX_SOLVED = "fix_solved"
    FIX_STILL = "fix_still"
    PRIORITY = "priority"  # the triage card's Set priority (adapters/teams/priority.py)
    INCIDENT_RESOLVE = "incident_resolve"  # adapters/teams/incident_actions.py
    LINK_TICKET = "link_ticket"


class Input(StrEnum):
    """Ids of Adaptive Card inputs; their values arrive in the submit's data under these keys."""

    TEAM = "team"
    REASON = "reason"
    ROOT_CAUSE = "root_cause"
    TITLE = "title"
    FIX_URL = "fix_url"
    TICKET = "ticket_input"
    WHAT_HAPPENED = "what_happened"
    WHY_IT_MATTERED = "why_it_mattered"
    WHAT_GOOD_LOOKS_LIKE = "what_good_looks_like"
    WHAT_CHANGES_NEXT = "what_changes_next"
    SEND_TO_AGENT = "send_to_agent"
    FOLLOW_UP_NOTE = "follow_up_note"
    PRIORITY = "priority_choice"  # the triage card's priority choice set
    REVIEW_ID = "review"  # not an input: the review id a follow-up button carries arrives among the values


class Verb(StrEnum):
    """Commands typed to the bot (Teams bots have no slash commands; the manifest lists these)."""

    HELP = "help"
    TICKET = "ticket"
    ESCALATE = "escalate"
    CAUSES = "causes"
    REVIEW = "review"
    CONSOLE = "console"


# Which button of a card is spent by a click: the group is claimed once per card.
SPENT_BY = {
    Action.SOLVED: "requester",
    Action.NEED_HELP: "requester",
    Action.ASSIGN: "assign",
    Action.RESOLVE: "resolve",
    Action.ESCALATE_SUBMIT: "escalate",
    Action.JUDGE_NEEDED: "judge",
    Action.JUDGE_NOT_NEEDED: "judge",
    Action.FIX_SHIPPED: "ship",
    Action.CSAT: "csat",
    Action.CSAT_NOT_SOLVED: "csat",
    Action.REVIEW_SUBMIT: "review",
    Action.FOLLOW_UP_CHANGED: "follow_up",
    Action.FOLLOW_UP_NOT_YET: "follow_up",
    Action.FIX_SOLVED: "fix_answer",
    Action.FIX_STILL: "fix_answer",
    Action.FILE_FIX: "file_fix",  # per cause: a causes list card has one File fix button per cause
    Action.INCIDENT_RESOLVE: "incident_resolve",
}
PER_SUBJECT = {Action.FILE_FIX}  # buttons claimed per card and per the ticket or cause they carry
