"""Prometheus metrics of one running Fixloop: HTTP, intake, replies, escalations, outbox, scheduler."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """One registry per runtime (not the global one: tests build many runtimes in one process)."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.requests = Counter(
            "fixloop_http_requests_total", "HTTP requests", ["path", "status"], registry=r
        )
        self.latency = Histogram("fixloop_http_request_seconds", "HTTP request latency", ["path"], registry=r)
        self.intake = Counter(
            "fixloop_intake_events_total",
            "Inbound platform events by outcome (new, retry, done, busy, unavailable)",
            ["platform", "outcome"],
            registry=r,
        )
        self.replays = Counter(
            "fixloop_inbox_replays_total", "Inbound events replayed by the sweeper", ["platform"], registry=r
        )
        self.deliveries = Counter(
            "fixloop_outbox_deliveries_total",
            "Outbound posts by destination and outcome (sent, retry, dead)",
            ["destination", "outcome"],
            registry=r,
        )
        self.outbox_depth = Gauge("fixloop_outbox_pending", "Posts waiting in the outbox", registry=r)
        self.inbox_pending = Gauge("fixloop_inbox_pending", "Inbound events not handled yet", registry=r)
        self.escalations = Counter("fixloop_escalations_total", "Escalations opened", registry=r)
        self.scheduler_runs = Counter(
            "fixloop_scheduler_runs_total", "Scheduled job runs by outcome", ["job", "outcome"], registry=r
        )
        self.scheduler_seconds = Histogram(
            "fixloop_scheduler_run_seconds", "Scheduled job run time", ["job"], registry=r
        )
