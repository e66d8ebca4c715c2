"""One place that turns a tracker client's failures into a clear TrackerUnavailable."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import requests

from core.errors import TrackerUnavailable


@contextmanager
def answered(tracker: str) -> Iterator[None]:
    """Raise TrackerUnavailable naming the tracker and its status when its client fails."""
    try:
        yield
    except (httpx.HTTPError, requests.RequestException) as exc:
        raise TrackerUnavailable(f"{tracker} could not be reached: {type(exc).__name__}") from exc
    except Exception as exc:
        # A client library's own error: its library is loaded, since its client raised it. Not imported
        # here, so that a process without GitHub or Jira configured never loads PyGithub or jira.
        github, jira = sys.modules.get("github"), sys.modules.get("jira")
        if github is not None and isinstance(exc, github.GithubException):
            raise TrackerUnavailable(f"{tracker} answered {exc.status}: {str(exc.data)[:200]}") from exc
        if jira is not None and isinstance(exc, jira.JIRAError):
            raise TrackerUnavailable(f"{tracker} answered {exc.status_code}: {str(exc.text)[:200]}") from exc
        raise
