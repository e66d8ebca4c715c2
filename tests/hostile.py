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
