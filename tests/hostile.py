"""Hypothesis strategies for random and hostile payloads: missing keys, wrong types, huge strings, junk."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from core.errors import FixloopError

# Text with the awkward parts of Unicode: control characters, surrogates excluded (JSON cannot carry them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
HUGE = st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "<at>", "\x00", " ", "FX-AAAAAA "]),
                 st.integers(2_000, 50_000))
STRINGS = st.one_of(TEXT, HUGE, st.sampled_from(["", " ", "FX-AB12CD", "<@U0ANA>", "{}", "null", "ticket"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), STRINGS)
JSON: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)


def payload(keys: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict whose known keys are each present or missing, plausible or junk, plus junk keys."""
    known = st.fixed_dictionaries({}, optional={k: st.one_of(v, JSON) for k, v in keys.items()})
    return st.builds(lambda a, b: {**b, **a}, known, st.dictionaries(TEXT, JSON, max_size=3))


def either(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a translator: it returns, or raises a domain error whose message the user can read."""
    try:
        return fn(*args, **kwargs)
    except FixloopError as exc:
        assert str(exc).strip(), "a domain error must say what is wrong"
        return None


# The strings of issue 12: pings, a disguised link, markdown links, an image, emphasis and a card function.
HOSTILE = (
    "<!channel> <!here> <!subteam^S0EVIL> <@U0VICTIM> <https://evil.example|click here> "
    "[click](https://evil.example) ![x](https://evil.example/pixel.png) **bold** _it_ {{DATE(2030-01-01T00:00:00Z)}}"
)
# What must never reach Slack as written: each would ping, mention or disguise a link.
SLACK_FORGERIES = ("<!channel>", "<!here>", "<!subteam", "<@U0VICTIM>", "<https://evil.example")
# What must never reach a Teams card or message as markdown: a link, an image, emphasis, a date function.
CARD_FORGERIES = ("](https://evil", "![", "**bold**", "{{DATE")


def card_strings(node: Any) -> list[str]:
    """Every string inside an activity or card that renders as markdown (text, fact values, titles).

    An input's value is what its text box holds (shown as typed, never as markdown) and a button's data is
    never shown, so they are left out.
    """
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        literal = {"value"} if str(node.get("type", "")).startswith("Input.") else set()
        literal |= {"data"} if str(node.get("type", "")).startswith("Action.") else set()
        return [s for key, value in node.items() if key not in literal for s in card_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in card_strings(value)]
    return []
