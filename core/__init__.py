"""Fixloop's domain: tickets, knowledge, causes, escalations, KPIs, digests and coaching. No I/O."""
