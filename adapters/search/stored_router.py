"""The stored team router: its classifier and how many escalations it learnt from."""

from __future__ import annotations

from adapters.search.classifier import LinearTextClassifier
from adapters.search.codec import State
from adapters.search.stored_parts import classifier_state, restore_classifier
from core.team_routing import TeamRouter


def router_state(router: TeamRouter) -> State:
    """The team router: how many escalations it learnt from, and its classifier with its features."""
    if not isinstance(router.classifier, LinearTextClassifier):
        raise TypeError(f"cannot store a classifier of type {type(router.classifier).__name__}")
    state = State()
    state.meta = {"examples": router.examples,
                  "classifier": classifier_state(router.classifier, state, "classifier", with_features=True)}
    return state


def restore_router(router: TeamRouter, state: State) -> None:
    """Fill a freshly built team router from router_state's output."""
    if not isinstance(router.classifier, LinearTextClassifier):
        raise TypeError(f"cannot restore into a classifier of type {type(router.classifier).__name__}")
    restore_classifier(router.classifier, state.meta["classifier"], state)
    router.examples = int(state.meta["examples"])
