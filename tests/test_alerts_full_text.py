"""A tip's words stay out of Telegram by default, and never reach ONAC's duty officer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alerts.demo import DEMO_CHAT_BASE
from alerts.escalation import tick
from alerts.messages import Message, render
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Official
from models.tables import Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from raporto.settings import load
from tests.complicity_helpers import PLAIN_TIP, audited, deliveries, officials_of, roster, submit
from tests.conftest import env_for, make_runtime
from tests.helpers import telegram_callback, telegram_headers

WORDS = "mban tre vajza në punë pa pagë"  # from PLAIN_TIP
# High, no complicity: its ladder reaches ONAC two hours on.
HIGH_TIP = "Pronari i kafenesë në Durrës mban tre vajza të mbyllura dhe u ka marrë pasaportat."


def rendered(runtime: Runtime, delivery_id: int) -> Message:
    with runtime.db.read() as s:
        d = s.get(Delivery, delivery_id)
        assert d is not None
        official = s.get(Official, d.official_id)
        tip = s.get(Tip, d.tip_id) if d.tip_id else None
        assert official is not None
        return render(s, runtime.alerts, d, official, tip)


def callbacks(message: Message) -> list[str]:
    return [data for row in message.buttons for _label, data in row]


def onac_escalation(runtime: Runtime, tip_id: int) -> Delivery:
    """Tick far enough for the tip's ladder to reach ONAC; return ONAC's escalation."""
    later = utcnow() + timedelta(hours=3)
    runtime.alerts.clock = lambda: later
    for _ in range(3):  # renotify, the chair, ONAC
        tick(runtime.alerts)
    onac = officials_of(runtime, "coordinator")[0]
    [d] = deliveries(runtime, tip_id, official_id=onac, purpose="escalation")
    return d


def press_full_text(runtime: Runtime, d: Delivery, chat: int) -> None:
    data = f"f:{d.id}:{runtime.alerts.sign('f', d.id, d.official_id)}"
    response = (
        create_app(runtime=runtime)
        .test_client()
        .post(
            "/webhooks/telegram",
            json=telegram_callback(1, chat, data),
            headers=telegram_headers(runtime),
        )
    )
    assert response.status_code == 200


def test_the_setting_is_off_unless_set(tmp_path: Path, sqlite_url: str) -> None:
    assert load(env_for(tmp_path, sqlite_url)).full_text_in_telegram is False
    on = env_for(tmp_path, sqlite_url, RAPORTO_FULL_TEXT_IN_TELEGRAM="1")
    assert load(on).full_text_in_telegram is True


def test_by_default_an_alert_offers_the_console_link_instead_of_the_text(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, reference = submit(any_runtime, PLAIN_TIP)
    message = rendered(any_runtime, deliveries(any_runtime, tip_id)[0].id)
    assert not [c for c in callbacks(message) if c.startswith("f:")]
    assert [c[:2] for c in callbacks(message)] == ["a:"]
    assert f"/console/tips/{reference}" in message.text and WORDS not in message.text


def test_by_default_an_old_show_full_text_button_answers_with_the_console_link(
    any_runtime: Runtime,
) -> None:
    roster(any_runtime)
    tip_id, reference = submit(any_runtime, PLAIN_TIP)
    first = deliveries(any_runtime, tip_id)[0]
    press_full_text(any_runtime, first, DEMO_CHAT_BASE + 1)
    [notice] = deliveries(any_runtime, official_id=first.official_id, purpose="notice")
    assert "show_tip" not in notice.detail
    text = rendered(any_runtime, notice.id).text
    assert f"/console/tips/{reference}" in text and WORDS not in text
    assert "Raportimi" in text  # the official reads Albanian
    assert audited(any_runtime, "tip.viewed") == []


@pytest.fixture
def everything_in_telegram(tmp_path: Path, database_url: str) -> Runtime:
    """Full text in alerts and behind the button: the most the settings allow."""
    return make_runtime(
        tmp_path,
        database_url,
        RAPORTO_FULL_TEXT_IN_TELEGRAM="1",
        RAPORTO_ALERT_CONTENT="full",
    )


def test_onac_gets_neither_the_text_nor_the_button_whatever_the_settings(
    everything_in_telegram: Runtime,
) -> None:
    runtime = everything_in_telegram
    roster(runtime)
    tip_id, _ref = submit(runtime, HIGH_TIP)
    member = rendered(runtime, deliveries(runtime, tip_id)[0].id)
    assert "tre vajza" in member.text and any(c.startswith("f:") for c in callbacks(member))
    onac = rendered(runtime, onac_escalation(runtime, tip_id).id)
    assert "tre vajza" not in onac.text
    assert not any(c.startswith("f:") for c in callbacks(onac))


def test_a_show_full_text_press_by_onac_is_refused_and_audited(
    everything_in_telegram: Runtime,
) -> None:
    runtime = everything_in_telegram
    roster(runtime)
    tip_id, _ref = submit(runtime, HIGH_TIP)
    d = onac_escalation(runtime, tip_id)
    press_full_text(runtime, d, DEMO_CHAT_BASE + 7)
    # Refused: the press is answered (in the webhook's response) and nothing is sent.
    assert deliveries(runtime, official_id=d.official_id, purpose="notice") == []
    assert audited(runtime, "tip.viewed") == []
    assert [e.detail["reason"] for e in audited(runtime, "full_text.refused")] == ["onac"]
