"""Every Slack action, block, callback and command id Fixloop uses, in one place."""

from __future__ import annotations

from enum import StrEnum

PLATFORM = "slack"
ACTION_CLAIMS = "slack-action"  # the inbox platform name of Slack action claims (adapters/slack/once.py)
TICKET_EMOJI = "ticket"  # the 🎫 reaction logs a ticket


class Action(StrEnum):
    SOLVED = "fixloop.solved"
    NEED_HELP = "fixloop.need_help"
    ASSIGN = "fixloop.assign"
    RESOLVE = "fixloop.resolve"
    ESCALATE = "fixloop.escalate"
    JUDGE_NEEDED = "fixloop.judge_needed"
    JUDGE_NOT_NEEDED = "fixloop.judge_not_needed"
    ROOT_CAUSE = "fixloop.root_cause"
    LINK_FIX = "fixloop.link_fix"
    FIX_SHIPPED = "fixloop.fix_shipped"
    CSAT = "fixloop.csat"
    CSAT_NOT_SOLVED = "fixloop.csat_not_solved"
    OPEN_TICKET = "fixloop.open_ticket"
    FOLLOW_UP_CHANGED = "fixloop.follow_up_changed"
    FOLLOW_UP_NOT_YET = "fixloop.follow_up_not_yet"
    FILE_FIX = "fixloop.file_fix"
    FIX_SOLVED = "fixloop.fix_solved"
    FIX_STILL = "fixloop.fix_still"
    PRIORITY = "fixloop.priority"  # the triage post's priority picker (adapters/slack/priority.py)
    INCIDENT_RESOLVE = "fixloop.incident_resolve"  # adapters/slack/incident_actions.py
    LINK_TICKET = "fixloop.link_ticket"


class Shortcut(StrEnum):
    LOG_TICKET = "fixloop.log_ticket"
    ESCALATE = "fixloop.escalate_message"


class View(StrEnum):
    ESCALATE = "fixloop.escalate_view"
    ROOT_CAUSE = "fixloop.root_cause_view"
    LINK_FIX = "fixloop.link_fix_view"
    REVIEW = "fixloop.review_view"


class Input(StrEnum):
    """Block ids of modal inputs; each input's element uses the same string as its action id."""

    TICKET = "ticket"
    TEAM = "team"
    REASON = "reason"
    ROOT_CAUSE = "root_cause"
    TITLE = "title"
    FIX_URL = "fix_url"
    WHAT_HAPPENED = "what_happened"
    WHY_IT_MATTERED = "why_it_mattered"
    WHAT_GOOD_LOOKS_LIKE = "what_good_looks_like"
    WHAT_CHANGES_NEXT = "what_changes_next"
    SEND_TO_AGENT = "send_to_agent"
    FOLLOW_UP_NOTE = "follow_up_note"


class Block(StrEnum):
    ACTIONS = "fixloop.actions"
    DONE = "fixloop.done"
    SIMILAR = "fixloop.similar"  # the Link buttons of a triage post's similar open tickets


class Command(StrEnum):
    ESCALATE = "/escalate"
    TICKET = "/ticket"
    CAUSES = "/causes"
    REVIEW = "/review"
    FIXLOOP = "/fixloop"
