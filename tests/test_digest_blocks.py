"""The Slack digest as Block Kit, checked as data: its layout, its content and Slack's limits."""

from __future__ import annotations

import copy
import json
from typing import Any

from adapters.slack import digest_blocks
from core.digests import ROWS
from tests.digest_support import busy_digest_dict

LINKS = {"FX-000001": "https://acme.slack.com/archives/C0HELP/p1800000000000001"}


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text of every block: section texts, fields, context elements, headers."""
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        out += [f["text"] for f in b.get("fields", [])]
        out += [e["text"] for e in b.get("elements", []) if "text" in e]
    return out


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= 50
    for b in blocks:
        limit = 150 if b["type"] == "header" else 3000
        assert "text" not in b or len(b["text"]["text"]) <= limit
        assert len(b.get("fields", [])) <= 10
        assert all(len(f["text"]) <= 2000 for f in b.get("fields", []))


def test_the_slack_digest_has_a_header_kpi_fields_with_the_change_and_one_section_per_cause():
    data = busy_digest_dict()
    blocks = digest_blocks.digest(data, LINKS, chart=True)
    assert blocks[0]["type"] == "header" and "Fixloop weekly digest" in blocks[0]["text"]["text"]
    assert "changes are against the previous week" in blocks[1]["elements"][0]["text"]
    kpi_fields = [f["text"] for b in blocks[3:6] for f in b["fields"]]
    assert [f.split("\n")[0] for f in kpi_fields] == [f"*{label}*" for _, _, label, _, _ in ROWS]
    repeat = kpi_fields[0]
    assert repeat.split("\n")[1] == data["kpis"][0]["text"]["total"] and "internal" in repeat
    assert any("pts, better)" in f or "pts, worse)" in f for f in kpi_fields)
    causes = [b for b in blocks if b["type"] == "section" and b.get("fields") and "Volume" in b["fields"][0]["text"]]
    assert len(causes) == 5
    first = data["top_causes"][0]
    assert causes[0]["text"]["text"].startswith("*1. ") and f"`{first['key']}`" in causes[0]["text"]["text"]
    assert [f["text"].split("\n")[0] for f in causes[0]["fields"]] == ["*Volume*", "*Surfaces*", "*Owner*", "*Fix*"]
    assert f"{first['tickets']} tickets ({first['open_tickets']} open)" in causes[0]["fields"][0]["text"]
    assert_within_slack_limits(blocks)


def test_evidence_links_go_to_slack_permalinks_and_teams_deep_links_and_titles_are_escaped():
    data = busy_digest_dict()
    slack_ticket = next(e["id"] for c in data["top_causes"] for e in c["evidence"] if e["platform"] == "slack")
    links = {slack_ticket: "https://acme.slack.com/archives/C0HELP/p1800000000000001"}
    everything = json.dumps(digest_blocks.digest(data, links))
    assert f"<https://acme.slack.com/archives/C0HELP/p1800000000000001|{slack_ticket}>" in everything
    assert "<https://teams.microsoft.com/l/message/19%3Ahelp%40thread.tacv2/" in everything
    assert "&lt;drops&gt; &amp;" in everything and "<drops>" not in everything
    fixed = next(c for c in data["top_causes"] if c["fix_url"])
    assert f"<{fixed['fix_url']}|linked>" in everything


def test_causes_seen_in_both_queues_are_called_out_and_wins_are_listed():
    data = busy_digest_dict()
    all_text = "\n".join(texts(digest_blocks.digest(data)))
    assert ":rotating_light: *Seen in both the internal and the external queue*" in all_text
    for c in data["cross_surface"]:
        assert f"({c['tickets']} tickets)" in all_text
    assert ":trophy: *Wins*\n• Article kb-vpn solved 12 tickets on its own." in all_text


def test_an_oversized_digest_still_fits_slacks_limits():
    data = copy.deepcopy(busy_digest_dict())
    for c in data["top_causes"] + data["cross_surface"]:
        c["title"] = "T" * 5000
        c["owner"] = "o" * 3000
    data["cross_surface"] = data["cross_surface"] * 40
    data["wins"] = [f"Win {i} " + "w" * 300 for i in range(200)]
    data["kpis"] = data["kpis"] * 3
    assert_within_slack_limits(digest_blocks.digest(data, chart=True))


def test_an_empty_week_says_so_instead_of_showing_empty_sections():
    data = busy_digest_dict()
    data.update(top_causes=[], cross_surface=[], wins=[])
    all_text = "\n".join(texts(digest_blocks.digest(data)))
    assert "No causes recorded yet." in all_text and "None this week." in all_text
    assert "Seen in both" not in all_text
