"""Fake GitHub, Jira and Linear servers on 127.0.0.1, answering in each tracker's documented payload shapes.

Each keeps its issues in memory and records every request (method, path, body), so tests can count how
many requests a batched poll made and read what was filed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Issue:
    number: int
    title: str
    body: str
    state: str = "open"  # open | closed (GitHub); category key (Jira); state type (Linear)
    state_reason: str | None = None
    closed_at: str | None = None
    updated_at: str = "2026-12-01T09:00:00Z"
    comments: list[str] = field(default_factory=list)


class FakeTracker:
    """The in-memory state and request log a fake server shares with its test."""

    def __init__(self) -> None:
        self.issues: dict[int, Issue] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.base = ""
        self.lock = threading.Lock()

    def add(self, title: str, body: str = "") -> Issue:
        """File an issue as the tracker's own user would."""
        with self.lock:
            issue = Issue(len(self.issues) + 1, title, body)
            self.issues[issue.number] = issue
            return issue

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        raise NotImplementedError


class FakeGithub(FakeTracker):
    """GitHub's REST issues endpoints and the GraphQL `repository { issueOrPullRequest }` query."""

    repo = "acme/it-access"

    def rest_issue(self, i: Issue) -> dict[str, Any]:
        return {
            "id": 1000 + i.number, "node_id": f"I_{i.number}", "number": i.number, "title": i.title,
            "body": i.body, "state": i.state, "state_reason": i.state_reason, "closed_at": i.closed_at,
            "created_at": "2026-12-01T09:00:00Z", "updated_at": i.updated_at, "locked": False, "comments": 0,
            "url": f"{self.base}/repos/{self.repo}/issues/{i.number}",
            "html_url": f"https://github.com/{self.repo}/issues/{i.number}",
            "user": {"login": "fixloop-bot", "id": 1, "type": "Bot"}, "labels": [], "assignees": [],
        }

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        issues = f"/repos/{self.repo}/issues"
        if method == "POST" and path == issues:
            return 201, self.rest_issue(self.add(body["title"], body.get("body", "")))
        if m := re.fullmatch(re.escape(issues) + r"/(\d+)(/comments)?", path):
            issue = self.issues.get(int(m.group(1)))
            if issue is None:
                return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
            if m.group(2) and method == "POST":
                issue.comments.append(body["body"])
                return 201, {"id": len(issue.comments), "body": body["body"], "html_url": issue.comments[-1][:0]}
            return 200, self.rest_issue(issue)
        if method == "POST" and path == "/graphql":
            return 200, self.graphql(body)
        return 404, {"message": "Not Found"}

    def graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        repo: dict[str, Any] = {}
        for alias, number in re.findall(r"(\w+): issueOrPullRequest\(number: (\d+)\)", body["query"]):
            i = self.issues.get(int(number))
            repo[alias] = None if i is None else {
                "state": i.state.upper(), "stateReason": i.state_reason.upper() if i.state_reason else None,
                "closedAt": i.closed_at, "updatedAt": i.updated_at,
            }
        return {"data": {"repository": repo}}


class FakeJira(FakeTracker):
    """Jira Cloud's REST API v2: server info, fields, create, get, comment and the enhanced JQL search."""

    project = "OPS"

    def key(self, i: Issue) -> str:
        return f"{self.project}-{i.number}"

    def rest_issue(self, i: Issue) -> dict[str, Any]:
        category = {"key": i.state, "name": "Done" if i.state == "done" else "To Do"}
        return {
            "id": str(10000 + i.number), "key": self.key(i), "self": f"{self.base}/rest/api/2/issue/{10000 + i.number}",
            "fields": {"summary": i.title, "description": i.body, "resolutiondate": i.closed_at,
                       "updated": i.updated_at.replace("Z", ".000+0000"), "status": {"name": category["name"], "statusCategory": category}},
        }

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if path == "/rest/api/2/serverInfo":
            return 200, {"baseUrl": self.base, "version": "1001.0.0", "versionNumbers": [1001, 0, 0],
                         "deploymentType": "Cloud", "buildNumber": 100000, "serverTitle": "Jira"}
        if path == "/rest/api/2/field":
            return 200, [{"id": f, "key": f, "name": f.title(), "custom": False, "navigable": True,
                          "searchable": True, "clauseNames": [f]} for f in ("status", "resolutiondate", "updated")]
        if method == "POST" and path == "/rest/api/2/issue":
            i = self.add(body["fields"]["summary"], body["fields"].get("description", ""))
            return 201, {"id": str(10000 + i.number), "key": self.key(i), "self": self.rest_issue(i)["self"]}
        if path == "/rest/api/2/search/jql":
            return 200, self.search(query, body)
        if m := re.fullmatch(r"/rest/api/2/issue/(?:\w+-)?(\d+)(/comment)?", path):
            number = int(m.group(1)) % 10000 or int(m.group(1))
            issue = self.issues.get(number)
            if issue is None:
                return 404, {"errorMessages": ["Issue does not exist"], "errors": {}}
            if m.group(2):
                issue.comments.append(body["body"])
                return 201, {"id": str(len(issue.comments)), "body": body["body"]}
            return 200, self.rest_issue(issue)
        return 404, {"errorMessages": ["Not found"], "errors": {}}

    def search(self, query: dict[str, list[str]], body: Any) -> dict[str, Any]:
        jql = (body or {}).get("jql") if isinstance(body, dict) else None
        jql = jql or query.get("jql", [""])[0]
        keys = re.findall(rf"{self.project}-(\d+)", jql)
        found = [self.rest_issue(self.issues[int(k)]) for k in keys if int(k) in self.issues]
        return {"issues": found, "isLast": True}


class FakeLinear(FakeTracker):
    """Linear's GraphQL API: teams, issueCreate, issues(filter), issue(id) and commentCreate."""

    team = "ENG"

    def node(self, i: Issue) -> dict[str, Any]:
        return {"id": f"uuid-{i.number}", "identifier": f"{self.team}-{i.number}", "title": i.title,
                "url": f"https://linear.app/acme/issue/{self.team}-{i.number}/fix",
                "state": {"type": i.state if i.state != "open" else "unstarted"},
                "completedAt": i.closed_at, "updatedAt": i.updated_at}

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        q, v = body["query"], body.get("variables") or {}
        if "teams(" in q:
            nodes = [{"id": "team-uuid"}] if v["key"] == self.team else []
            return 200, {"data": {"teams": {"nodes": nodes}}}
        if "issueCreate" in q:
            i = self.add(v["input"]["title"], v["input"].get("description", ""))
            return 200, {"data": {"issueCreate": {"success": True, "issue": self.node(i)}}}
        if "issues(" in q:
            wanted = [int(n) for n in v["numbers"]][: v["first"]]
            found = [self.node(self.issues[n]) for n in wanted if n in self.issues and v["team"] == self.team]
            return 200, {"data": {"issues": {"nodes": found}}}
        if "commentCreate" in q:
            self.issues[int(v["input"]["issueId"].split("-")[1])].comments.append(v["input"]["body"])
            return 200, {"data": {"commentCreate": {"success": True}}}
        if "issue(" in q:
            number = int(v["id"].rsplit("-", 1)[1])
            return 200, {"data": {"issue": {"id": f"uuid-{number}"} if number in self.issues else None}}
        return 200, {"errors": [{"message": "unknown query"}]}


@contextmanager
def serve(fake: FakeTracker) -> Iterator[FakeTracker]:
    """Run the fake on a free 127.0.0.1 port for the block; `fake.base` is its URL."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.loads(raw) if raw else None
            with fake.lock:
                fake.requests.append((self.command, parts.path, body))
            status, answer = fake.answer(self.command, parts.path, parse_qs(parts.query), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
