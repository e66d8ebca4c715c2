"""One place that turns a tracker client's failures into a clear TrackerUnavailable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import requests
from github import GithubException
from jira import JIRAError

from core.errors import TrackerUnavailable


@contextmanager
def answered(tracker: str) -> Iterator[None]:
    """Raise TrackerUnavailable naming the tracker and its status when its client fails."""
    try:
        yield
    except GithubException as exc:
        raise TrackerUnavailable(f"{tracker} answered {exc.status}: {str(exc.data)[:200]}") from exc
    except JIRAError as exc:
        raise TrackerUnavailable(f"{tracker} answered {exc.status_code}: {str(exc.text)[:200]}") from exc
    except (httpx.HTTPError, requests.RequestException) as exc:
        raise TrackerUnavailable(f"{tracker} could not be reached: {type(exc).__name__}") from exc
