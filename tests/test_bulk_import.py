"""`fixloop import tickets` writes through SqlTicketImport: one transaction, upserts by id, messages appended."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.bulk_import import SqlTicketImport
from adapters.db.repositories import SqlRepositories
from adapters.db.tables import MessageRow, TicketRow
from adapters.imports import ImportFormatError
from bot import imports
from bot.imports import import_tickets
from core import limits
from core.causes import Cause
from core.tickets import Message, Role
from tests.ticket_support import at, full_ticket

HEADER = "id,created_at,surface,text,cause,cause_title"


def ledger(tmp_path: Path, *rows: str, name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return path


async def run_import(repos: SqlRepositories, engine: AsyncEngine, path: Path, fmt: str = "csv"):  # type: ignore[no-untyped-def]
    desk = SimpleNamespace(tickets=repos.tickets, causes=repos.causes)
    return await import_tickets(desk, path, fmt, writer=SqlTicketImport(engine))  # type: ignore[arg-type]


async def count(engine: AsyncEngine, table: type) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_a_bulk_written_ticket_reads_back_exactly_like_one_the_repository_saved(
    repos: SqlRepositories, engine: AsyncEngine
) -> None:
    saved, bulk = full_ticket("FX-SAVED", thread="slack:C1:1"), full_ticket("FX-BULK", thread="slack:C1:2")
    await repos.tickets.save(saved)
    async with SqlTicketImport(engine).load() as load:
        await load.add([bulk])
        assert await load.finish([]) == (1, 0)
    loaded = await repos.tickets.get("FX-BULK")
    assert loaded == bulk
    assert dataclasses.replace(loaded, id="FX-SAVED", thread_key="slack:C1:1") == await repos.tickets.get("FX-SAVED")
    async with engine.connect() as conn:  # the very same stored text, so SQL compares and orders them alike
        stored = (await conn.execute(text("SELECT created_at, reopened_at, agents FROM tickets ORDER BY id"))).all()
    assert stored[0] == stored[1]


async def test_importing_a_file_twice_updates_every_ticket_and_writes_no_second_message(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    path = ledger(tmp_path, *(f"T-{i},2026-03-02T09:{i:02d}:00Z,internal,VPN drops {i},," for i in range(12)))
    first = await run_import(repos, engine, path)
    again = await run_import(repos, engine, path)
    assert (first.imported, first.updated, again.imported, again.updated) == (12, 0, 0, 12)
    assert await repos.tickets.count() == 12 and await count(engine, MessageRow) == 12


async def test_a_reimport_appends_a_changed_text_and_keeps_messages_other_processes_wrote(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,VPN drops,,"))
    ticket = await repos.tickets.get("T-1")
    assert ticket is not None
    ticket.add_message(Message(at=at(5), role=Role.AGENT, author="ana", text="Try reconnecting"))
    await repos.tickets.save(ticket)
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,VPN drops hourly,,"))
    stored = await repos.tickets.get("T-1")
    assert stored is not None and stored.text == "VPN drops hourly"
    assert [m.text for m in stored.messages] == ["VPN drops", "Try reconnecting", "VPN drops hourly"]


async def test_a_reimport_keeps_the_tickets_an_agent_linked_in_fixloop(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,VPN drops,,"))
    ticket = await repos.tickets.get("T-1")
    assert ticket is not None
    ticket.linked = ["FX-LIVE01"]  # an agent pressed *Link* on a similar open ticket
    await repos.tickets.save(ticket)
    result = await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,VPN drops hourly,,"))
    stored = await repos.tickets.get("T-1")
    assert result.updated == 1 and stored is not None and stored.text == "VPN drops hourly"
    assert stored.linked == ["FX-LIVE01"]


async def test_an_import_on_postgresql_vacuums_what_it_wrote(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's: the covering indexes need its visibility map")
    counted = text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'tickets'")

    async def vacuums() -> int:
        async with engine.connect() as conn:  # a new transaction: statistics are not cached across
            return int((await conn.execute(counted)).scalar_one())

    before = await vacuums()
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,VPN drops,,"))
    assert await vacuums() == before + 1


async def test_a_repeated_id_in_later_batches_is_one_ticket_carrying_the_last_row(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH", 2)
    rows = [f"T-{i % 3},2026-03-02T09:0{i}:00Z,internal,take {i},," for i in range(7)]
    result = await run_import(repos, engine, ledger(tmp_path, *rows))
    assert (result.rows_read, result.imported, result.updated) == (7, 3, 0)
    stored = await repos.tickets.get("T-0")
    assert stored is not None and stored.text == "take 6"


@pytest.mark.parametrize("breakage", ["not utf-8", "too many rows"])
async def test_a_file_refused_halfway_leaves_nothing_behind(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, breakage: str
) -> None:
    monkeypatch.setattr(imports, "BATCH", 2)  # several batches are written before the bad part is read
    rows = [f"T-{i},2026-03-02T09:00:00Z,internal,fine,vpn,VPN" for i in range(9)]
    path = ledger(tmp_path, *rows)
    if breakage == "not utf-8":
        path.write_bytes(path.read_bytes() + b"T-99,2026-03-02T09:00:00Z,internal,caf\xe9,,\n")
    else:
        monkeypatch.setattr(limits, "MAX_IMPORT_ROWS", 8)
    with pytest.raises(ImportFormatError):
        await run_import(repos, engine, path)
    assert (await repos.tickets.count(), await count(engine, MessageRow), await repos.causes.list()) == (0, 0, [])
    assert (await run_import(repos, engine, ledger(tmp_path, rows[0], name="next.csv"))).imported == 1


async def test_a_reimport_updates_a_cause_but_keeps_what_a_person_wrote_on_it(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,x,vpn,VPN drops"))
    cause = await repos.causes.get("vpn")
    assert cause is not None
    await repos.causes.save(dataclasses.replace(cause, root_cause="Idle timeout of 10 minutes"))
    await run_import(repos, engine, ledger(tmp_path, "T-1,2026-03-02T09:00:00Z,internal,x,vpn,VPN idle timeout"))
    assert await repos.causes.list() == [
        dataclasses.replace(cause, title="VPN idle timeout", root_cause="Idle timeout of 10 minutes")
    ]
    assert isinstance(cause, Cause) and await count(engine, TicketRow) == 1


async def test_a_servicenow_event_log_lands_as_one_ticket_per_incident_and_the_report_says_why(
    tmp_path: Path, repos: SqlRepositories, engine: AsyncEngine
) -> None:
    from tests.import_samples import SERVICENOW_LOG

    path = tmp_path / "incident_event_log.csv"
    path.write_text(SERVICENOW_LOG, encoding="utf-8")
    result = await run_import(repos, engine, path, "servicenow")
    assert (result.rows_read, result.imported, result.errors) == (9, 3, [])
    report = result.to_text()
    assert report.count("no short_description column: 3 tickets have an empty subject") == 1
    assert "9 rows folded into 3 incidents" in report
    stored = await repos.tickets.get("INC0001")
    assert stored is not None and (stored.reassignments, len(stored.reopened_at)) == (1, 1)
    assert await repos.tickets.count() == 3 and await count(engine, MessageRow) == 0
