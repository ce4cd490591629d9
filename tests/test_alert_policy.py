"""The pure alert policy (triage/alert_policy.py) and triage's complicity routes, rule by rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from alerts.acks import acknowledge
from models.base import utcnow
from models.roster import Official
from models.tables import Tip
from raporto.runtime import Runtime
from tests.complicity_helpers import officials_of, roster, submit
from triage import alert_policy as ap
from triage.policy import RoutingPolicy
from triage.routing import implicated_kinds

POLICY = RoutingPolicy.default()


def test_an_unknown_band_gets_the_high_bands_deadline_and_ladder_everywhere() -> None:
    assert ap.ack_minutes(POLICY, "critical") == 15
    assert ap.ack_minutes(POLICY, "no-such-band") == ap.ack_minutes(POLICY, "high") == 60
    assert ap.ladder(POLICY, "no-such-band", 2) == ap.ladder(POLICY, "high", 2)
    custom = RoutingPolicy.from_mapping({"high": 45})
    assert ap.ack_minutes(custom, "garbled") == 45


def test_the_ladder_repeats_one_round_in_time_order() -> None:
    steps = ap.ladder(POLICY, "critical", 2)
    assert [(s.minutes, s.action) for s in steps] == [
        (15, "renotify"),
        (15, "ra_chair"),
        (30, "national_coordinator"),
        (45, "renotify"),
        (45, "ra_chair"),
        (60, "national_coordinator"),
    ]
    assert len(ap.ladder(POLICY, "low", 3)) == 6


@pytest.mark.parametrize(
    ("band", "scored", "channel", "expected"),
    [
        ("low", True, "sms", "low"),
        ("not_a_tip", True, "telegram", "not_a_tip"),
        ("low", False, "sms", "high"),  # triage failed: an official must look soon
        (None, False, "voice", "medium"),  # a recording nobody has listened to yet
        ("critical", False, "voice", "medium"),
    ],
)
def test_the_band_alerts_use(band: str | None, scored: bool, channel: str, expected: str) -> None:
    assert ap.effective_band(band, scored=scored, channel=channel) == expected


def test_who_gets_the_first_alert_and_who_a_rung_notifies() -> None:
    assert ap.may_be_alerted("member", "police", ())
    assert ap.may_be_alerted("chair", "police", ())
    assert not ap.may_be_alerted("onac", "coordinator", ())  # ONAC joins by escalation
    assert not ap.may_be_alerted("member", "police", {"police"})
    assert ap.escalation_role("ra_chair", chair_excluded=False) == "chair"
    assert ap.escalation_role("ra_chair", chair_excluded=True) == "onac"
    assert ap.escalation_role("national_coordinator", chair_excluded=False) == "onac"


def test_channels_first_next_fallback_and_renotify() -> None:
    order = ["telegram", "sms", "voice"]
    assert ap.first_channel(order, telegram=True, phone=True) == "telegram"
    assert ap.first_channel(order, telegram=True, phone=True, telegram_broken=True) == "sms"
    assert ap.first_channel(["voice"], telegram=False, phone=True) is None
    assert ap.first_channel(["voice"], telegram=False, phone=True, allow_voice=True) == "voice"
    assert ap.next_channel(order, "telegram", telegram=True, phone=True) == "sms"
    assert ap.next_channel(order, "sms", telegram=True, phone=True) == "voice"
    assert ap.next_channel(["sms", "telegram"], "sms", telegram=True, phone=True) == "telegram"
    assert ap.next_channel(order, "telegram", telegram=True, phone=False) is None
    assert ap.fallback_allowed("voice", "escalation")
    assert not ap.fallback_allowed("voice", "alert")
    assert not ap.fallback_allowed(None, "alert")
    assert ap.renotify_channels("critical", phone=True, telegram=True) == ["sms", "voice"]
    assert ap.renotify_channels("high", phone=False, telegram=True) == ["telegram"]
    assert ap.renotify_channels("critical", phone=False, telegram=False) == []


def test_coverage_needs_each_routes_agency_and_never_counts_an_implicated_one() -> None:
    coverage = {
        "child": ("social_services", "child_protection"),
        "labour": ("labour_inspectorate",),
    }
    assert ap.covered({"police"}, (), [], coverage)
    assert not ap.covered(set(), (), [], coverage)
    assert not ap.covered({"police"}, (), ["child"], coverage)
    assert ap.covered({"police", "social_services"}, (), ["child"], coverage)
    assert not ap.covered({"police", "social_services"}, (), ["child", "labour"], coverage)
    assert not ap.covered({"police"}, {"police"}, [], coverage)
    assert ap.covered({"police"}, (), ["complicity"], coverage)  # no coverage rule for it


def test_triage_names_the_implicated_agency_from_the_words_of_its_complicity_signs() -> None:
    assert implicated_kinds(["child"], ["policia"]) == frozenset()
    assert implicated_kinds(["complicity"], ["policët e kufirit"]) == {"police"}
    assert implicated_kinds(["complicity"], ["Sherbimi Social e di"]) == {"social_services"}
    assert implicated_kinds(["complicity"], ["inspektori"]) == {"labour_inspectorate"}
    assert implicated_kinds(["complicity"], ["dikush lart"]) == {"police"}  # unsure: police


def test_migration_0009_derives_the_routes_of_rows_scored_before_it(database_url: str) -> None:
    from models.db import normalise_url
    from models.migrate import downgrade, upgrade

    upgrade(database_url, "0008")
    engine = create_engine(normalise_url(database_url))
    rows = {
        "AAA-1": ("high", True, '["control", "complicity"]', '["labour"]'),
        "BBB-2": ("not_a_tip", True, "[]", "[]"),
        "CCC-3": ("medium", False, '["control"]', '["sexual"]'),
    }
    with engine.begin() as conn:
        for ref, (band, minor, categories, forms) in rows.items():
            conn.execute(
                text(
                    "INSERT INTO tips (reference, channel, received_at, updated_at, answers,"
                    " status, parts, follow_ups, submitted, triage_status, escalation_level,"
                    " forms, categories, excluded_kinds, triage_band, minor) VALUES (:r, 'sms',"
                    " :t, :t, '{}', 'new', 1, 0, true, 'done', 0, :f, :c, '[]', :b, :m)"
                ),
                {"r": ref, "t": utcnow(), "c": categories, "f": forms, "b": band, "m": minor},
            )
    upgrade(database_url, "0009")
    with engine.begin() as conn:
        got: dict[str, Any] = dict(conn.execute(text("SELECT reference, routes FROM tips")).all())
    decoded = {k: v if isinstance(v, list) else json.loads(v) for k, v in got.items()}
    assert decoded == {"AAA-1": ["child", "complicity", "labour"], "BBB-2": [], "CCC-3": []}
    downgrade(database_url, "0008")
    assert "routes" not in {c["name"] for c in inspect(engine).get_columns("tips")}
    engine.dispose()


def test_scoring_stores_the_routes_in_clear_and_acknowledging_never_decrypts_the_triage(
    any_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster(any_runtime)
    tip_id, _ref = submit(any_runtime, "Një vajzë 15 vjeçe mbahet me forcë në një bar në Durrës.")
    with any_runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None and "child" in tip.routes
        police = s.get(Official, officials_of(any_runtime, "police")[0])
        assert police is not None
        decrypted: list[bytes] = []
        real = any_runtime.alerts.vault.decrypt_json

        def watched(blob: bytes) -> Any:
            decrypted.append(blob)
            return real(blob)

        monkeypatch.setattr(any_runtime.alerts.vault, "decrypt_json", watched)
        assert acknowledge(s, any_runtime.alerts, tip, police, via="console")
        assert tip.triage_enc not in decrypted
        # Child route: the police alone do not cover it (social services or child protection).
        assert tip.covered_at is None
