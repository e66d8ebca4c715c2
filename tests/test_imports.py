"""Import parsers: exports and knowledge bases become core objects plus a report of refused rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.imports import ImportFormatError, parse_kb, parse_tickets
from core.causes import FixStatus
from core.tickets import MAX_TEXT, Judgement, Priority, Resolution, Role, Status, Surface
from tests.import_samples import SERVICENOW_LOG

DATA = Path(__file__).parent / "data" / "imports"
HEADER = "id,created_at,surface,text,priority,agents,resolved_at,reopened_at,closed_at,escalated_at"


def at(text: str) -> datetime:
    """A UTC moment written briefly: at('2026-03-02 09:15')."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def write(tmp_path: Path, text: str, name: str = "export.csv", encoding: str = "utf-8") -> Path:
    """A file with exactly this text (no newline translation)."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def ledger(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    """A small ledger file with the given data rows."""
    return write(tmp_path, "\n".join((header, *rows)) + "\n")


def by_id(batch) -> dict:
    """The batch's tickets keyed by id."""
    return {t.id: t for t in batch.tickets}


def reasons(batch) -> dict[int, str]:
    """The batch's errors keyed by line."""
    return {e.line: e.reason for e in batch.errors}


# --- generic CSV ledger -----------------------------------------------------------------------


def test_the_sample_ledger_keeps_good_rows_alongside_its_bad_ones():
    batch = parse_tickets(DATA / "ledger.csv", "csv")
    assert sorted(by_id(batch)) == ["T-100", "T-101", "T-102", "T-106"]
    assert sorted(reasons(batch)) == [6, 7, 8, 9]
    assert batch.rows_read == 8
    assert batch.unknown_columns == ["notes"]


def test_a_naive_timestamp_is_a_row_error_asking_for_an_offset():
    batch = parse_tickets(DATA / "ledger.csv", "csv")
    assert reasons(batch)[6].startswith("created_at needs a UTC offset")


def test_line_numbers_count_the_header_as_line_one_and_quoted_newlines_as_lines():
    batch = parse_tickets(DATA / "ledger.csv", "csv")
    assert "priority" in reasons(batch)[7]  # T-100 spans lines 2-3, so T-104 is on line 7
    assert by_id(batch)["T-100"].text.startswith(
        "VPN disconnects every 10 minutes since this morning.\nTried"
    )


def test_every_ledger_field_lands_on_the_ticket():
    t = by_id(parse_tickets(DATA / "ledger.csv", "csv"))["T-101"]
    assert (t.surface, t.priority, t.agents) == (Surface.EXTERNAL, Priority.URGENT, ["sam", "lee"])
    assert t.created_at == at("2026-03-02 09:00")  # +01:00 in the file, kept as UTC
    assert (t.first_bot_reply_at, t.first_human_reply_at) == (
        at("2026-03-02 09:00:05"),
        at("2026-03-02 09:20"),
    )
    assert (t.resolved_at, t.resolution, t.closed_at) == (
        at("2026-03-02 11:00"),
        Resolution.AGENT,
        at("2026-03-03 12:00"),
    )
    assert t.reopened_at == [at("2026-03-03 08:00")]
    assert (t.escalated_at, t.escalated_to) == (at("2026-03-02 09:30"), "identity")
    assert (t.escalation_judgement, t.escalation_judged_at) == (Judgement.NEEDED, at("2026-03-02 12:00"))
    assert (t.cause_key, t.csat, t.csat_at, t.affected_users) == (
        "sso-session",
        4,
        at("2026-03-03 13:00"),
        12,
    )
    assert t.source == "import:csv"


def test_the_ticket_text_is_also_the_requesters_first_message():
    t = by_id(parse_tickets(DATA / "ledger.csv", "csv"))["T-101"]
    first = t.messages[0]
    assert (first.role, first.author, first.text, first.at) == (
        Role.REQUESTER,
        "c-881@customer.example",
        "The app says my session expired.",
        t.created_at,
    )


def test_an_article_resolution_keeps_its_article_id():
    t = by_id(parse_tickets(DATA / "ledger.csv", "csv"))["T-100"]
    assert (t.resolution, t.article_id) == (Resolution.ARTICLE, "kb-vpn-reconnect")


def test_a_repeated_id_is_one_ticket_carrying_the_later_row_without_an_error():
    batch = parse_tickets(DATA / "ledger.csv", "csv")
    again = [t for t in batch.tickets if t.id == "T-102"]
    assert len(again) == 1
    assert (again[0].priority, again[0].resolution, again[0].csat) == (Priority.HIGH, Resolution.FIX, 3)
    assert 10 not in reasons(batch)


def test_one_cause_per_key_with_its_owner_dates_and_fix():
    causes = parse_tickets(DATA / "ledger.csv", "csv").causes
    vpn = causes["vpn-timeout"]
    assert (vpn.title, vpn.owner, vpn.fix_status) == (
        "VPN idle timeout too short",
        "it-network",
        FixStatus.SHIPPED,
    )
    assert (vpn.root_cause_at, vpn.fix_shipped_at) == (at("2026-03-03 10:00"), at("2026-03-05 16:00"))
    assert vpn.created_at == at("2026-03-02 09:15")  # its earliest ticket
    assert causes["sso-session"].fix_status == FixStatus.NONE


def test_a_fix_url_without_a_ship_date_makes_the_fix_linked(tmp_path):
    path = ledger(
        tmp_path,
        "A,2026-03-02T09:00:00Z,internal,x,,db-pool,DB pool,https://git.example/pr/1,",
        header="id,created_at,surface,text,priority,cause,cause_title,fix_url,fix_shipped_at",
    )
    cause = parse_tickets(path, "csv").causes["db-pool"]
    assert (cause.fix_url, cause.fix_status) == ("https://git.example/pr/1", FixStatus.LINKED)


@pytest.mark.parametrize(
    ("column", "first", "second"),
    [
        ("cause_title", "DB pool", "Database pool"),
        ("cause_owner", "platform", "data"),
        ("root_cause_at", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"),
        ("fix_url", "https://git.example/pr/1", "https://git.example/pr/2"),
        ("fix_shipped_at", "2026-03-04T10:00:00Z", "2026-03-04T12:00:00Z"),
    ],
)
def test_rows_of_one_cause_that_disagree_are_reported_with_line_and_field(tmp_path, column, first, second):
    header = f"id,created_at,surface,cause,{column}"
    path = ledger(
        tmp_path,
        f"A,2026-03-02T09:00:00Z,internal,db-pool,{first}",
        "B,2026-03-02T10:00:00Z,internal,db-pool,",
        f"C,2026-03-02T11:00:00Z,internal,db-pool,{second}",
        header=header,
    )
    batch = parse_tickets(path, "csv")
    assert list(reasons(batch)) == [4]
    assert column in reasons(batch)[4] and "line 2" in reasons(batch)[4]
    assert sorted(by_id(batch)) == ["A", "B", "C"]  # the tickets themselves are sound


@pytest.mark.parametrize(
    ("resolved", "reopened", "closed", "escalated", "status"),
    [
        ("2026-03-02T10:00:00Z", "", "", "", Status.RESOLVED),
        ("2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z", "", "", Status.IN_PROGRESS),
        ("2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z", "2026-03-02T15:00:00Z", "", Status.RESOLVED),
        (
            "2026-03-02T10:00:00Z",
            "2026-03-02T12:00:00Z;2026-03-02T16:00:00Z",
            "2026-03-02T15:00:00Z",
            "",
            Status.IN_PROGRESS,
        ),
        ("", "", "", "2026-03-02T09:30:00Z", Status.ESCALATED),
        ("", "", "", "", Status.IN_PROGRESS),
    ],
)
def test_the_status_follows_from_resolutions_reopens_and_escalations(
    tmp_path, resolved, reopened, closed, escalated, status
):
    path = ledger(tmp_path, f"A,2026-03-02T09:00:00Z,internal,x,,,{resolved},{reopened},{closed},{escalated}")
    assert parse_tickets(path, "csv").tickets[0].status == status


def test_lists_are_split_on_semicolons_and_reopens_kept_in_order(tmp_path):
    path = ledger(
        tmp_path,
        "A,2026-03-02T09:00:00Z,internal,x,,ann; bo ;,2026-03-02T10:00:00Z,"
        "2026-03-03T09:00:00Z;2026-03-02T12:00:00Z,,",
    )
    t = parse_tickets(path, "csv").tickets[0]
    assert t.agents == ["ann", "bo"]
    assert t.reopened_at == [at("2026-03-02 12:00"), at("2026-03-03 09:00")]


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("surface", "partners", "surface must be one of internal, external"),
        ("priority", "P1", "priority must be one of low, normal, high, urgent"),
        ("resolution", "self", "resolution must be one of article, agent, fix"),
        ("escalation_judgement", "maybe", "escalation_judgement must be one of needed, not_needed"),
        ("csat", "0", "csat must be from 1 to 5"),
        ("csat", "4.5", "csat must be a whole number"),
        ("affected_users", "-3", "affected_users must be at least 0"),
        ("affected_users", "many", "affected_users must be a whole number"),
        ("escalated_at", "last Tuesday", "escalated_at is not an ISO 8601 timestamp"),
        ("resolved_at", "2026-03-02", "resolved_at needs a UTC offset"),
    ],
)
def test_a_cell_outside_its_allowed_values_is_a_row_error_and_the_next_row_survives(
    tmp_path, column, value, words
):
    header = "id,created_at,surface" + ("" if column == "surface" else f",{column}")
    bad = (
        f"A,2026-03-02T09:00:00Z,{value}"
        if column == "surface"
        else f"A,2026-03-02T09:00:00Z,internal,{value}"
    )
    good = "B,2026-03-02T09:00:00Z,external" + ("" if column == "surface" else ",")
    batch = parse_tickets(ledger(tmp_path, bad, good, header=header), "csv")
    assert reasons(batch)[2].startswith(words)
    assert [t.id for t in batch.tickets] == ["B"]


def test_enum_values_are_read_regardless_of_case(tmp_path):
    path = ledger(tmp_path, "A,2026-03-02T09:00:00Z,External,x,URGENT,,,,,")
    t = parse_tickets(path, "csv").tickets[0]
    assert (t.surface, t.priority) == (Surface.EXTERNAL, Priority.URGENT)


def test_an_empty_priority_means_normal(tmp_path):
    path = ledger(tmp_path, "A,2026-03-02T09:00:00Z,internal,x,,,,,,")
    assert parse_tickets(path, "csv").tickets[0].priority == Priority.NORMAL


def test_an_empty_required_cell_is_a_row_error(tmp_path):
    batch = parse_tickets(ledger(tmp_path, ",2026-03-02T09:00:00Z,internal,x,,,,,,"), "csv")
    assert reasons(batch) == {2: "id is empty"}


def test_text_longer_than_the_limit_is_refused_never_cut(tmp_path):
    long_row = f"A,2026-03-02T09:00:00Z,internal,{'x' * (MAX_TEXT + 1)},,,,,,"
    full_row = f"B,2026-03-02T09:00:00Z,internal,{'y' * MAX_TEXT},,,,,,"
    batch = parse_tickets(ledger(tmp_path, long_row, full_row), "csv")
    assert "text is 40001 characters long" in reasons(batch)[2]
    assert len(batch.tickets[0].text) == MAX_TEXT


def test_an_oversize_cell_in_an_ignored_column_does_not_fail_its_row(tmp_path):
    path = ledger(
        tmp_path,
        f"A,2026-03-02T09:00:00Z,internal,{'n' * (MAX_TEXT + 1)}",
        header="id,created_at,surface,notes",
    )
    batch = parse_tickets(path, "csv")
    assert (batch.errors, [t.id for t in batch.tickets]) == ([], ["A"])


def test_an_oversize_help_desk_description_is_a_row_error(tmp_path):
    rows = [f"1,a,2026-03-02 09:00:00,{'d' * (MAX_TEXT + 1)}", "2,b,2026-03-02 09:00:00,ok"]
    text = "\n".join(["Id,Subject,Created at,Description", *rows])
    batch = parse_tickets(write(tmp_path, text), "zendesk")
    assert reasons(batch)[2].startswith("description is 40001 characters long")
    assert [t.id for t in batch.tickets] == ["ZD-2"]


def test_a_row_with_more_cells_than_the_header_is_a_row_error(tmp_path):
    too_wide = "A,2026-03-02T09:00:00Z,internal,a, b,,,,,,,extra"
    batch = parse_tickets(ledger(tmp_path, too_wide, "B,2026-03-02T09:00:00Z,internal"), "csv")
    assert "has 12 cells but the header has 10 columns" in reasons(batch)[2]
    assert [t.id for t in batch.tickets] == ["B"]


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path):
    text = (
        "\ufeffid,created_at,surface,text\r\n"
        'A,2026-03-02T09:00:00Z,internal,"two\r\nlines"\r\n'
        "B,bad,internal,x\r\n"
    )
    batch = parse_tickets(write(tmp_path, text), "csv")
    assert by_id(batch)["A"].text == "two\r\nlines"
    assert reasons(batch)[4].startswith("created_at is not an ISO 8601 timestamp")


def test_unknown_columns_are_named_once_and_ignored(tmp_path):
    path = ledger(tmp_path, "A,2026-03-02T09:00:00Z,internal,1,2", header="id,created_at,surface,Team,notes")
    batch = parse_tickets(path, "csv")
    assert (batch.unknown_columns, len(batch.tickets)) == (["Team", "notes"], 1)


def test_a_ledger_without_its_required_columns_is_refused_by_name(tmp_path):
    with pytest.raises(ImportFormatError, match="a Fixloop CSV ledger: missing columns created_at, surface"):
        parse_tickets(ledger(tmp_path, "A", header="id"), "csv")


def test_a_semicolon_separated_file_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path, "id;created_at;surface\nA;2026-03-02T09:00:00Z;internal\n")
    with pytest.raises(ImportFormatError, match="missing columns id, created_at, surface.*no commas"):
        parse_tickets(path, "csv")


def test_a_header_naming_a_column_twice_is_refused(tmp_path):
    with pytest.raises(ImportFormatError, match="'surface' twice"):
        parse_tickets(
            ledger(tmp_path, "A,x,internal,external", header="id,created_at,surface,surface"), "csv"
        )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"\xef\xbb\xbf\r\n  \n", "is empty"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary file"),
        ("id,created_at,surface\nA,2026-03-02T09:00:00Z,intérnal\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_an_empty_binary_or_non_utf8_file_is_refused_as_a_whole(tmp_path, content, words):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=words):
        parse_tickets(path, "csv")


# --- Zendesk ------------------------------------------------------------------------------------


def test_zendesk_tickets_get_prefixed_ids_and_the_external_surface():
    batch = parse_tickets(DATA / "zendesk.csv", "zendesk")
    assert sorted(by_id(batch)) == ["ZD-4821", "ZD-4822", "ZD-4823"]
    assert {t.surface for t in batch.tickets} == {Surface.EXTERNAL}
    assert {t.source for t in batch.tickets} == {"import:zendesk"}


def test_zendesk_minutes_become_first_reply_and_first_resolution_times():
    t = by_id(parse_tickets(DATA / "zendesk.csv", "zendesk"))["ZD-4821"]
    assert t.created_at == at("2026-03-02 09:15")
    assert (t.first_human_reply_at, t.resolved_at) == (at("2026-03-02 09:40"), at("2026-03-02 11:15"))
    assert (t.status, t.priority, t.agents) == (Status.RESOLVED, Priority.HIGH, ["Sam Reyes"])
    assert t.requester == "maria.lopez@acme-retail.example"
    assert t.messages[0].text == "Invoice PDF is blank"


def test_zendesk_satisfaction_good_and_bad_become_five_and_one():
    tickets = by_id(parse_tickets(DATA / "zendesk.csv", "zendesk"))
    assert [tickets[i].csat for i in ("ZD-4821", "ZD-4822", "ZD-4823")] == [5, 1, None]


def test_a_reopened_zendesk_ticket_keeps_its_first_resolution_and_is_open_again():
    t = by_id(parse_tickets(DATA / "zendesk.csv", "zendesk"))["ZD-4822"]
    assert (t.resolved_at, t.closed_at, t.status) == (at("2026-03-02 15:00"), None, Status.IN_PROGRESS)


def test_a_new_unassigned_zendesk_ticket_is_new_with_normal_priority():
    t = by_id(parse_tickets(DATA / "zendesk.csv", "zendesk"))["ZD-4823"]
    assert (t.status, t.priority, t.resolved_at) == (Status.NEW, Priority.NORMAL, None)


def test_a_zendesk_row_with_an_unreadable_date_is_reported_and_custom_fields_named():
    batch = parse_tickets(DATA / "zendesk.csv", "zendesk")
    assert reasons(batch) == {5: "Created at is not a date and time this parser reads: '03/03/2026 9am'"}
    assert batch.unknown_columns == ["Plan [list]"]


def test_zendesk_times_without_an_offset_are_read_in_the_given_time_zone():
    t = by_id(parse_tickets(DATA / "zendesk.csv", "zendesk", tz="Europe/Paris"))["ZD-4821"]
    assert t.created_at == at("2026-03-02 08:15")


def test_the_surface_parameter_and_a_surface_column_both_decide_the_surface(tmp_path):
    path = write(
        tmp_path,
        "Id,Subject,Created at,surface\n1,a,2026-03-02 09:00:00,\n2,b,2026-03-02 09:00:00,external\n",
    )
    tickets = by_id(parse_tickets(path, "zendesk", surface="internal"))
    assert (tickets["ZD-1"].surface, tickets["ZD-2"].surface) == (Surface.INTERNAL, Surface.EXTERNAL)


def test_a_zendesk_file_missing_its_columns_is_refused_naming_them(tmp_path):
    path = write(tmp_path, "Ticket,Subject,Opened\n1,a,2026-03-02\n")
    with pytest.raises(
        ImportFormatError, match="this does not look like a Zendesk export: missing columns Id, Created at"
    ):
        parse_tickets(path, "zendesk")


def test_a_ledger_given_as_a_zendesk_export_is_refused():
    with pytest.raises(ImportFormatError, match="Zendesk export"):
        parse_tickets(DATA / "ledger.csv", "zendesk")


def test_an_offset_in_a_help_desk_time_is_respected(tmp_path):
    path = write(tmp_path, "Id,Subject,Created at\n1,a,2026-03-02 09:00:00 +0100\n")
    assert parse_tickets(path, "zendesk", tz="America/New_York").tickets[0].created_at == at(
        "2026-03-02 08:00"
    )


# --- Jira ---------------------------------------------------------------------------------------


def test_jira_dates_like_05_mar_26_are_read_and_keys_kept_as_ids():
    batch = parse_tickets(DATA / "jira.csv", "jira")
    t = by_id(batch)["ITSM-311"]
    assert (t.created_at, t.resolved_at) == (at("2026-03-05 09:15"), at("2026-03-05 14:30"))
    assert (t.surface, t.source, t.requester, t.agents) == (
        Surface.INTERNAL,
        "import:jira",
        "Tom Becker",
        ["Priya Nair"],
    )


def test_jira_repeated_columns_and_multiline_descriptions_are_read():
    batch = parse_tickets(DATA / "jira.csv", "jira")
    t = by_id(batch)["ITSM-311"]
    assert t.text.endswith("office network.\nOther devices are fine.")
    assert t.subject == "Laptop will not join Wi-Fi after update"
    assert batch.unknown_columns == ["Sprint"]


def test_jira_service_management_satisfaction_becomes_csat():
    t = by_id(parse_tickets(DATA / "jira.csv", "jira"))["ITSM-311"]
    assert (t.csat, t.csat_at) == (4, at("2026-03-05 15:00"))


def test_jira_statuses_and_priorities_map_onto_fixloops():
    tickets = by_id(parse_tickets(DATA / "jira.csv", "jira"))
    assert (tickets["ITSM-311"].status, tickets["ITSM-311"].priority) == (Status.RESOLVED, Priority.HIGH)
    assert (tickets["ITSM-312"].status, tickets["ITSM-312"].priority) == (Status.NEW, Priority.NORMAL)
    assert (tickets["ITSM-313"].status, tickets["ITSM-313"].priority) == (Status.ESCALATED, Priority.URGENT)


def test_jira_rows_with_an_unknown_priority_or_a_bad_date_are_reported_with_their_lines():
    batch = parse_tickets(DATA / "jira.csv", "jira")
    assert reasons(batch)[6].startswith("unknown priority 'P9'")
    assert reasons(batch)[7] == "Created is not a date and time this parser reads: '2026-13-45'"
    assert len(batch.tickets) == 3


def test_a_jira_status_category_of_done_resolves_a_custom_status(tmp_path):
    path = write(
        tmp_path, "Issue key,Summary,Created,Status,Status Category\nIT-1,a,05/Mar/26 9:15 AM,Shipped,Done\n"
    )
    assert parse_tickets(path, "jira").tickets[0].status == Status.RESOLVED


# --- ServiceNow ---------------------------------------------------------------------------------


def test_servicenow_incidents_keep_their_numbers_and_map_priorities():
    tickets = by_id(parse_tickets(DATA / "servicenow.csv", "servicenow"))
    assert sorted(tickets) == ["INC0010001", "INC0010002", "INC0010003"]
    priorities = [tickets[i].priority for i in sorted(tickets)]
    assert priorities == [Priority.HIGH, Priority.URGENT, Priority.LOW]


def test_servicenow_states_and_times_map_onto_fixloops():
    tickets = by_id(parse_tickets(DATA / "servicenow.csv", "servicenow"))
    resolved, working, closed = (tickets[i] for i in ("INC0010001", "INC0010002", "INC0010003"))
    assert (resolved.status, resolved.resolved_at) == (Status.RESOLVED, at("2026-03-05 11:45"))
    assert (working.status, working.resolved_at, working.agents) == (Status.IN_PROGRESS, None, ["David Loo"])
    assert (closed.status, closed.resolved_at, closed.closed_at) == (
        Status.RESOLVED,
        at("2026-03-04 17:00"),
        None,
    )
    assert (resolved.surface, resolved.requester, resolved.source) == (
        Surface.INTERNAL,
        "Abel Tuter",
        "import:servicenow",
    )


def test_servicenow_bad_rows_are_reported_and_custom_u_columns_named():
    batch = parse_tickets(DATA / "servicenow.csv", "servicenow", tz="Europe/London")
    assert reasons(batch)[5] == "opened_at is not a date and time this parser reads: 'yesterday'"
    assert reasons(batch)[6].startswith("unknown priority '7 - Unheard of'")
    assert batch.unknown_columns == ["u_business_unit"]


# --- parse_tickets itself -------------------------------------------------------------------------


def test_an_unknown_format_is_refused_listing_the_valid_ones():
    with pytest.raises(ImportFormatError, match="use one of: csv, jira, servicenow, zendesk"):
        parse_tickets(DATA / "ledger.csv", "freshdesk")


def test_a_missing_file_or_a_folder_is_refused(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file"):
        parse_tickets(tmp_path / "nope.csv", "csv")
    with pytest.raises(ImportFormatError, match="is not a file"):
        parse_tickets(tmp_path, "csv")


def test_an_unknown_time_zone_or_surface_is_refused():
    with pytest.raises(ImportFormatError, match="unknown time zone"):
        parse_tickets(DATA / "zendesk.csv", "zendesk", tz="Mars/Olympus")
    with pytest.raises(ImportFormatError, match="surface must be internal or external"):
        parse_tickets(DATA / "zendesk.csv", "zendesk", surface="partners")


# --- knowledge base -----------------------------------------------------------------------------


def test_a_kb_folder_imports_its_good_files_and_names_the_broken_one():
    batch = parse_kb(DATA / "kb")
    assert [a.id for a in batch.articles] == ["kb-vpn-reconnect", "printer-jams"]
    assert [(e.file, e.reason) for e in batch.errors] == [
        ("kb-broken.md", "the front matter opened on line 1 has no closing ---")
    ]
    assert batch.read == 3


def test_front_matter_fields_become_the_article():
    article = parse_kb(DATA / "kb").articles[0]
    assert (article.title, article.surface, article.tags) == (
        "VPN disconnects",
        "internal",
        ("vpn", "network"),
    )
    assert (article.owner, article.url) == ("it-network", "https://kb.example.com/kb-vpn-reconnect")
    assert article.body.startswith("# VPN disconnects every few minutes")


def test_a_file_without_front_matter_takes_its_id_from_the_name_and_title_from_the_heading():
    article = parse_kb(DATA / "kb").articles[1]
    assert (article.id, article.title, article.surface) == (
        "printer-jams",
        "Printer jams on duplex jobs",
        None,
    )


def test_a_file_without_heading_or_front_matter_is_titled_by_its_name(tmp_path):
    write(tmp_path, "Just restart it.\n", "restart.md")
    assert parse_kb(tmp_path).articles[0].title == "restart"


def test_a_front_matter_surface_outside_internal_and_external_is_a_file_error(tmp_path):
    write(tmp_path, "---\nid: a\nsurface: partners\n---\nbody\n", "a.md")
    write(tmp_path, "---\nid: b\n---\nbody\n", "b.md")
    batch = parse_kb(tmp_path)
    assert str(batch.errors[0]) == "a.md: surface must be internal or external, not 'partners'"
    assert [a.id for a in batch.articles] == ["b"]


def test_two_files_with_one_id_are_reported_naming_both(tmp_path):
    write(tmp_path, "---\nid: kb-same\n---\nfirst\n", "a.md")
    write(tmp_path, "---\nid: kb-same\n---\nsecond\n", "b.md")
    batch = parse_kb(tmp_path)
    assert str(batch.errors[0]) == "b.md: id 'kb-same' is already used by a.md"
    assert [a.body for a in batch.articles] == ["first"]


def test_front_matter_tags_may_be_a_yaml_list_and_values_quoted(tmp_path):
    write(tmp_path, '---\ntitle: "Wi-Fi: guest access"\ntags:\n  - wifi\n  - guest\n---\nbody\n', "wifi.md")
    article = parse_kb(tmp_path).articles[0]
    assert (article.title, article.tags) == ("Wi-Fi: guest access", ("wifi", "guest"))


def test_a_title_that_ends_in_a_quote_keeps_it(tmp_path):
    write(tmp_path, '---\ntitle: Reset the "VPN"\n---\nbody\n', "vpn.md")
    write(tmp_path, "---\ntitle: 'Printer: jam'\n---\nbody\n", "printer.md")
    titles = sorted(article.title for article in parse_kb(tmp_path).articles)
    assert titles == ["Printer: jam", 'Reset the "VPN"']


def test_a_front_matter_line_that_is_not_key_value_is_a_file_error(tmp_path):
    write(tmp_path, "---\nid: a\nthis is not yaml\n---\nbody\n", "a.md")
    assert "front matter line 3" in parse_kb(tmp_path).errors[0].reason


def test_a_kb_csv_splits_tags_on_commas_or_semicolons_and_keeps_multiline_bodies():
    batch = parse_kb(DATA / "kb.csv")
    export, password = batch.articles
    assert (export.tags, export.surface, export.owner) == (("export", "csv"), "external", "support-tier2")
    assert export.body.endswith("background.\nYou get an email with the file.")
    assert (password.tags, password.surface, password.url) == (("account", "password"), None, None)


def test_a_kb_csv_reports_a_bad_surface_and_a_repeated_id_with_both_lines():
    batch = parse_kb(DATA / "kb.csv")
    assert reasons(batch) == {
        5: "surface must be internal or external, not 'partners'",
        6: "id 'kb-export-timeout' is already used on line 2",
    }


def test_a_kb_csv_without_its_required_columns_is_refused(tmp_path):
    with pytest.raises(ImportFormatError, match="knowledge-base CSV: missing columns body"):
        parse_kb(write(tmp_path, "id,title\na,b\n", "kb.csv"))


def test_a_missing_kb_path_an_empty_folder_or_another_file_type_is_refused(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file or folder"):
        parse_kb(tmp_path / "nope")
    with pytest.raises(ImportFormatError, match="no Markdown"):
        parse_kb(tmp_path)
    with pytest.raises(ImportFormatError, match="folder of Markdown files or a CSV"):
        parse_kb(write(tmp_path, "x", "kb.docx"))


def test_a_binary_markdown_file_is_a_file_error_not_a_crash(tmp_path):
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path, "# Fine\nbody\n", "fine.md")
    batch = parse_kb(tmp_path)
    assert [(e.file, e.reason) for e in batch.errors] == [("image.md", "is a binary file, not Markdown")]
    assert [a.id for a in batch.articles] == ["fine"]


# --- real exports that carry only some columns -----------------------------------------------------

ZENDESK_METRICS = (
    "Id,Requester id,Group,Status,Priority,Via,Created at,Solved at,Satisfaction Score,Reopens,"
    "First reply time in minutes,First resolution time in minutes,Full resolution time in minutes\n"
    "9001,361,Tier 1,Solved,High,Email,2026-03-02 09:00:00,2026-03-02 10:00:00,Good,0,15,60,60\n"
    "9002,362,Tier 2,Open,Normal,Web form,2026-03-02 11:00:00,,Unoffered,0,30,,\n"
    "9003,363,Tier 1,Closed,,Chat,2026-03-03 08:00:00,2026-03-03 09:30:00,Bad,1,5,20,90\n"
)


def test_a_zendesk_metrics_export_without_subject_imports_with_empty_subjects_said_once(tmp_path):
    batch = parse_tickets(write(tmp_path, ZENDESK_METRICS), "zendesk")
    tickets = by_id(batch)
    assert sorted(tickets) == ["ZD-9001", "ZD-9002", "ZD-9003"] and batch.errors == []
    assert {(t.subject, t.text) for t in batch.tickets} == {("", "")}
    assert all(t.messages == [] for t in batch.tickets)  # no text: no invented first message
    assert batch.notes == ["The file has no Subject column: 3 tickets have an empty subject."]
    first = tickets["ZD-9001"]
    assert (first.requester, first.priority, first.status, first.csat) == ("361", Priority.HIGH, Status.RESOLVED, 5)
    assert (first.first_human_reply_at, first.resolved_at) == (at("2026-03-02 09:15"), at("2026-03-02 10:00"))
    assert tickets["ZD-9003"].closed_at == at("2026-03-03 09:30")  # solved again after its reopen


def test_only_an_id_and_a_creation_time_are_required_of_a_help_desk_export(tmp_path):
    zendesk = parse_tickets(write(tmp_path, "Id,Created at\n1,2026-03-02 09:00:00\n"), "zendesk")
    jira = parse_tickets(write(tmp_path, "Issue key,Created\nIT-1,05/Mar/26 9:15 AM\n", "j.csv"), "jira")
    snow = parse_tickets(write(tmp_path, "number,opened_at\nINC1,2026-03-02 09:00:00\n", "s.csv"), "servicenow")
    assert [len(b.tickets) for b in (zendesk, jira, snow)] == [1, 1, 1]
    assert zendesk.notes == [
        "The file has no Subject column: 1 ticket has an empty subject.",
        "The file has no Requester email column: 1 ticket has no requester.",
        "The file has no Status column: 1 ticket has a status read from their solve time.",
    ]
    with pytest.raises(ImportFormatError, match="missing columns opened_at"):
        parse_tickets(write(tmp_path, "number,short_description\nINC1,x\n", "n.csv"), "servicenow")


def test_a_servicenow_event_log_folds_into_one_ticket_per_incident_with_its_history(tmp_path):
    batch = parse_tickets(write(tmp_path, SERVICENOW_LOG), "servicenow")
    tickets = by_id(batch)
    assert sorted(tickets) == ["INC0001", "INC0002", "INC0003"] and batch.errors == [] and batch.rows_read == 9
    inc1 = tickets["INC0001"]
    assert (inc1.status, inc1.priority, inc1.subject) == (Status.RESOLVED, Priority.HIGH, "")
    assert inc1.reopened_at == [at("2026-03-03 08:00")] and inc1.reassignments == 1
    assert inc1.agents == ["Abe", "Dee"]
    assert (inc1.resolved_at, inc1.closed_at) == (at("2026-03-02 12:00"), at("2026-03-03 14:00"))
    inc2 = tickets["INC0002"]
    assert (inc2.status, inc2.agents, inc2.reopened_at, inc2.reassignments) == (Status.IN_PROGRESS, ["Abe"], [], 0)
    assert (tickets["INC0003"].status, tickets["INC0003"].resolved_at) == (Status.RESOLVED, at("2026-03-05 09:00"))
    assert batch.notes == [
        "The file has no short_description column: 3 tickets have an empty subject.",
        "9 rows folded into 3 incidents (the latest update of each).",
    ]
    assert batch.unknown_columns == []
