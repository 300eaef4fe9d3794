"""Where transmitted documents stand on the platform: `list`, `show`, the index and its words."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import Cli, issue, listed
from facturo.model.platform_status import PENDING, SENT, platform_state
from facturo.output.words import describe_platform_status
from facturo.store.cached_entries import from_columns, to_columns
from facturo.store.index import Entry
from pa_server import PlatformServer


def test_list_and_show_say_where_each_transmitted_document_stands(
    cli: Cli, draft, folder: Path, platform: PlatformServer
) -> None:
    sent = issue(cli, draft, "2026-11-02")
    kept = issue(cli, draft, "2026-11-03", "d2")
    assert "Platform" not in cli("list").stdout  # nothing transmitted: no column
    assert cli("transmit", sent).exit_code == 0
    assert listed(cli)[sent]["platform"] == SENT
    assert "posted, no status yet" in cli("list").stdout
    platform.add_status(sent, 200)
    assert cli("transmit", "--status").exit_code == 0
    line = next(x for x in cli("list").stdout.splitlines() if x.startswith(sent))
    assert line.endswith("deposited (200)")
    platform.add_status(sent, 213, "BR-FR-12: the buyer's SIREN is missing", "REJ_SEMAN")
    assert cli("transmit", "--status").exit_code == 1
    rows = listed(cli)
    assert (rows[sent]["platform"], rows[sent]["platform_code"]) == ("rejected", 213)
    assert rows[sent]["platform_rule"] == "BR-FR-12"
    assert rows[kept]["platform"] is None and rows[kept]["platform_code"] is None
    text = cli("list").stdout
    assert "rejected by the platform (213) BR-FR-12" in text
    assert "posted" not in next(x for x in text.splitlines() if x.startswith(kept))
    assert list(listed(cli, "--platform", "rejected")) == [sent]
    assert list(listed(cli, "--platform", "none")) == [kept]
    assert listed(cli, "--platform", "deposited") == {}
    wrong = cli("list", "--platform", "lost")
    assert wrong.exit_code == 2 and "rejected" in wrong.output
    shown = cli("show", sent).stdout
    assert (
        "rejected by the platform (213) on 2026-11-22: rule BR-FR-12: "
        "BR-FR-12: the buyer's SIREN is missing"
    ) in shown
    assert "platform:" not in cli("show", kept).stdout
    assert listed(cli, "--no-cache")[sent]["platform"] == "rejected"


def test_the_platform_state_survives_the_cache() -> None:
    entry = Entry(
        path="invoices/2026/F-2026-0001.yaml", number="F-2026-0001",
        platform="rejected", platform_code=213, platform_rule="BR-FR-12",
    )  # fmt: skip
    (again, never) = from_columns(json.loads(json.dumps(to_columns([entry, Entry("x.yaml")]))), 2)
    assert (again.platform, again.platform_code, again.platform_rule) == (
        "rejected", 213, "BR-FR-12",
    )  # fmt: skip
    assert (never.platform, never.platform_code, never.platform_rule) == (None, None, None)


def test_the_state_is_the_last_status_the_platform_has() -> None:
    day = dt.date(2026, 11, 2)
    assert platform_state({"tracking": {}}) is None
    pending = {"date": day, "tracking_id": "t", "status": "pending"}
    assert platform_state({"tracking": {"transmissions": [pending]}}).state == PENDING  # type: ignore[union-attr]
    sent = {
        "date": day, "status": "sent", "flow_id": "f1",
        "statuses": [
            {"date": day, "code": 200, "flow_id": "lc-1"},
            {"date": day, "code": 212, "tracking_id": "t-212"},  # recorded, not yet answered
        ],
    }  # fmt: skip
    state = platform_state({"tracking": {"transmissions": [sent]}})
    assert state is not None and (state.state, state.code) == ("deposited", 200)


def test_the_words_of_the_states_come_from_the_catalogs() -> None:
    assert describe_platform_status("rejected", "en", 213) == "rejected by the platform (213)"
    assert describe_platform_status("rejected", "fr", 213) == "rejetée par la plateforme (213)"
    assert describe_platform_status("paid", "fr") == "encaissée"
    assert describe_platform_status("unknown", "en", 299) == "status (299)"


TRACKINGS: list[object] = [
    None, "text", [], {}, {"payments": []}, {"reminders": None}, {"reminders": "x"},
    {"sendings": [{"date": dt.date(2026, 11, 3), "to": "a@b.fr"}, "junk"]},
    {"sendings": [{"date": "2026-11-03", "status": "not-sent"}, {"date": dt.date(2026, 11, 4)}]},
    {"reminders": [
        {"level": 1, "date": dt.date(2026, 12, 1)},
        {"level": 2, "date": dt.date(2026, 12, 15), "status": "pending", "message_id": "<m>"},
        {"level": "3", "date": dt.date(2026, 12, 20), "status": "not-sent"},
    ]},
    {"transmissions": "x"}, {"transmissions": [{"date": dt.date(2026, 11, 2), "status": "pending"}]},
    {"transmissions": [{
        "date": dt.date(2026, 11, 2), "status": "sent", "flow_id": "f1",
        "statuses": [{"date": dt.date(2026, 11, 5), "code": 213, "rule": "BR-FR-12"}],
    }]},
]  # fmt: skip


@pytest.mark.parametrize("tracking", TRACKINGS)
def test_a_summary_holds_what_the_tracking_section_says(tracking: object) -> None:
    from facturo.files.marked import YMap
    from facturo.files.yamlio import load_mapping
    from facturo.model.document import emails_of
    from facturo.store.entry import _pending_reminder, _reminders, summarize

    path = Path(__file__).resolve().parents[1] / "examples/freelance/invoices/2026/F-2026-0001.yaml"
    data, _ = load_mapping(path, path.name)
    assert isinstance(data, YMap)
    if tracking is None:
        data.pop("tracking", None)
    else:
        data["tracking"] = tracking
    entry = Entry(path.name, reminders=[(9, dt.date(2000, 1, 1))], pending_reminder={"x": 1})
    summarize(data, entry)
    assert entry.reminders == _reminders(data)
    assert entry.pending_reminder == _pending_reminder(data)
    sendings = emails_of(data, "sendings") if isinstance(tracking, dict) else []
    first = sendings[0].get("date") if sendings else None
    assert entry.sent == (first if isinstance(first, dt.date) else None)
    state = platform_state(data)
    expected = (state.state, state.code, state.rule) if state else (None, None, None)
    assert (entry.platform, entry.platform_code, entry.platform_rule) == expected
