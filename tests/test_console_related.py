"""Related tips in the console: the tip page's links, "not related", the cases view, statistics."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select, update

from locales.i18n import translations
from models import links
from models.link_tables import TipEntity, TipUnlink
from models.tables import AuditEntry, Tip
from raporto.app import create_app
from raporto.cli import main
from raporto.runtime import Runtime
from tests.complicity_helpers import POLICE_TIP, add_by_reference, officials_of
from tests.complicity_helpers import submit as submit_by_sms
from tests.conftest import env_for, make_runtime
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in

# Two reporters name the same mobile number, written two ways; a third tip names nothing.
NUMBER_FORMS = ("069 765 4321", "0697654321", "+355697654321", "+355 69 765 4321")
TIP_A = "Pronari i kafenesë në Durrës mban tre vajza në punë pa pagë. Telefononi 069 765 4321."
TIP_B = "Në Vlorë një lokal mban vajza të mbyllura. Numri i tij është 0697654321."
TIP_OTHER = "Në Shkodër një punëdhënës merr pasaportat e punëtorëve."
TIP_POLICE = POLICE_TIP + " Numri i pronarit: 069 765 4321."
# A second group: one number, three tips, two of them from the same reporter.
TIP_C = "Një burrë në Fier u premton vajzave punë jashtë shtetit. Numri 068 222 3344."
TIP_D = "Në Fier rekrutojnë vajza për punë në Itali, telefoni 0682223344."
TIP_E = "Përsëri: numri 068 222 3344 po kërkon vajza për jashtë."


PHONE_1 = links.Named("phone", "+355697654321", True)
PHONE_2 = links.Named("phone", "+355682223344", True)
PLACE = links.Named("place", "Fier", False)
# What each tip names, recorded as intake's linking does (not left to the extraction being
# written in parallel): the linking under test is the console's, not triage's.
NAMED = {
    TIP_A: [PHONE_1],
    TIP_B: [PHONE_1],
    TIP_POLICE: [PHONE_1],
    TIP_OTHER: [PLACE],
    TIP_C: [PHONE_2, PLACE],
    TIP_D: [PHONE_2, PLACE],
    TIP_E: [PHONE_2],
}


def name_entities(runtime: Runtime, tip_id: int, named: list[links.Named]) -> None:
    """Store a tip's entities under the configured entity keys, as bot/linking.py does."""
    with runtime.db.transaction() as s:
        links.record(s, runtime.alerts.entity_keys, tip_id, named)


def submit(runtime: Runtime, text: str, sender: str) -> tuple[int, str]:
    """Submit a tip by SMS intake and store what it names; return its id and reference."""
    tip_id, reference = submit_by_sms(runtime, text, sender)
    name_entities(runtime, tip_id, NAMED[text])
    return tip_id, reference


def related_section(html: str) -> str:
    """The tip page's "Related tips" section (empty string when missing)."""
    found = re.search(r'<section class="card related">(.*?)</section>', html, re.DOTALL)
    return found.group(1) if found else ""


def sign_in_as(
    client: FlaskClient,
    runtime: Runtime,
    username: str,
    official_id: int | None,
    role: str = "official",
    lang: str = "en",
) -> int:
    """Create an account, sign it in and pick the console language; return its user id."""
    user_id = make_account(runtime, username, role, official_id=official_id)
    assert sign_in(client, username) == 302
    token = csrf_token(client, "/console/password")
    client.post("/console/language", data={"lang": lang, "csrf_token": token})
    return user_id


def social_official(runtime: Runtime) -> int:
    """An official whose agency no tip here implicates (the State Social Service)."""
    demo_officials(runtime)
    return officials_of(runtime, "social_services")[0]


def unlink(client: FlaskClient, ref: str, other: str, reason: str | None, token: bool = True):  # type: ignore[no-untyped-def]
    data = {"reason": reason} if reason is not None else {}
    if token:
        data["csrf_token"] = csrf_token(client, f"/console/tips/{ref}")
    return client.post(f"/console/tips/{ref}/unlink/{other}", data=data)


def test_the_tip_page_lists_a_related_tip_by_kind_and_never_the_value(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_as(client, runtime, "social1", social_official(runtime))
    _a, ref_a = submit(runtime, TIP_A, "+355691111111")
    _b, ref_b = submit(runtime, TIP_B, "+355692222222")
    _o, ref_o = submit(runtime, TIP_OTHER, "+355693333333")
    html = client.get(f"/console/tips/{ref_a}").get_data(as_text=True)
    section = related_section(html)
    assert f'href="/console/tips/{ref_b}"' in section
    assert "phone number" in section
    assert ref_o not in section
    assert f'action="/console/tips/{ref_a}/unlink/{ref_b}"' in section
    assert 'name="csrf_token"' in section and "required" in section
    # Neither the number in any writing nor its keyed hash is on the page outside the tip text.
    for form in NUMBER_FORMS:
        assert form not in section
    with runtime.db.read() as s:
        digests = list(s.scalars(select(TipEntity.digest)))
    assert digests and not any(d in html for d in digests)
    # The link shows from the other side too; the unrelated tip has none.
    assert ref_a in related_section(client.get(f"/console/tips/{ref_b}").get_data(as_text=True))
    other_page = related_section(client.get(f"/console/tips/{ref_o}").get_data(as_text=True))
    assert "No other tip names the same" in other_page and ref_a not in other_page


def test_the_cases_page_lists_groups_largest_first_with_their_reporters(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_as(client, runtime, "social1", social_official(runtime))
    refs_ab = [
        submit(runtime, t, s)[1] for t, s in ((TIP_A, "+355691111111"), (TIP_B, "+355692222222"))
    ]
    refs_cde = [
        submit(runtime, TIP_C, "+355694444444")[1],
        submit(runtime, TIP_D, "+355695555555")[1],
        submit(runtime, TIP_E, "+355694444444")[1],  # the first reporter again
    ]
    submit(runtime, TIP_OTHER, "+355693333333")
    # The group's band is its most urgent tip's working band.
    with runtime.db.transaction() as s:
        for reference, band in zip(refs_cde, ("low", "critical", None), strict=True):
            s.execute(update(Tip).where(Tip.reference == reference).values(band=band))
    html = client.get("/console/cases").get_data(as_text=True)
    assert "Groups: 2" in html
    rows = re.findall(r"<tr>\s*(<td class=\"num\">.*?)</tr>", html, re.DOTALL)
    assert len(rows) == 2
    big, small = rows  # three tips before two
    cells = lambda row: re.findall(r'<td class="num">(\d+)</td>', row)  # noqa: E731
    assert cells(big) == ["3", "2"]  # three tips, two reporters
    assert cells(small) == ["2", "2"]
    assert 'class="band band-critical">Critical</span>' in big
    assert all(f'href="/console/tips/{r}"' in big for r in refs_cde)
    assert all(f'href="/console/tips/{r}"' in small for r in refs_ab)
    assert not any(form in html for form in NUMBER_FORMS)
    # The navigation of an official leads here.
    assert 'href="/console/cases">Cases</a>' in client.get("/console/tips").get_data(as_text=True)


def test_not_related_needs_a_reason_is_audited_and_holds(
    client: FlaskClient, runtime: Runtime
) -> None:
    user_id = sign_in_as(client, runtime, "social1", social_official(runtime))
    id_a, ref_a = submit(runtime, TIP_A, "+355691111111")
    id_b, ref_b = submit(runtime, TIP_B, "+355692222222")
    # No CSRF token: refused before anything happens.
    assert unlink(client, ref_a, ref_b, "same number, other people", token=False).status_code == 400
    # No reason, or one too long: flashed, nothing stored.
    response = unlink(client, ref_a, ref_b, "  ")
    assert response.status_code == 302
    assert "Give the reason why" in client.get(response.headers["Location"]).get_data(as_text=True)
    unlink(client, ref_a, ref_b, "x" * 501)
    with runtime.db.read() as s:
        assert s.scalars(select(TipUnlink)).all() == []
    reason = "Numri është i një taksie që të dy raportuesit përdorën"
    response = unlink(client, ref_b, ref_a, reason)
    assert response.headers["Location"].endswith(f"/console/tips/{ref_b}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Tips {ref_b} and {ref_a} are no longer shown as related." in page
    with runtime.db.read() as s:
        (row,) = s.scalars(select(TipUnlink)).all()
        assert (row.tip_id, row.other_tip_id, row.user_id) == (id_a, id_b, user_id)
        assert row.reason_enc and reason.encode() not in row.reason_enc
        assert runtime.vault.decrypt_text(row.reason_enc) == reason
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "tip.unlink")).all()
        assert (entry.object_type, entry.object_id) == ("tip", str(id_b))
        assert entry.detail == {"other": id_a}
    # Neither lists the other, the group is gone, and a later message scored again keeps it so.
    add_by_reference(runtime, ref_a, "Numri është ende 069 765 4321.")
    name_entities(runtime, id_a, [PHONE_1])
    assert ref_b not in related_section(client.get(f"/console/tips/{ref_a}").get_data(as_text=True))
    assert ref_a not in related_section(client.get(f"/console/tips/{ref_b}").get_data(as_text=True))
    cases = client.get("/console/cases").get_data(as_text=True)
    assert "No tips are related to one another." in cases and ref_a not in cases
    # Unlinking again, or tips that were never linked, changes nothing.
    again = unlink(client, ref_a, ref_b, "again")
    assert "are not shown as related" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    with runtime.db.read() as s:
        assert len(s.scalars(select(TipUnlink)).all()) == 1


def test_an_implicated_agency_sees_neither_the_link_nor_the_case(any_runtime: Runtime) -> None:
    runtime = any_runtime
    demo_officials(runtime)
    police, social = officials_of(runtime, "police")[0], officials_of(runtime, "social_services")[0]
    _a, ref_a = submit(runtime, TIP_A, "+355691111111")
    id_p, ref_p = submit(runtime, TIP_POLICE, "+355696666666")
    app = create_app(runtime=runtime)
    seen = app.test_client()
    sign_in_as(seen, runtime, "social1", social)
    assert ref_p in related_section(seen.get(f"/console/tips/{ref_a}").get_data(as_text=True))
    assert ref_p in seen.get("/console/cases").get_data(as_text=True)
    kept = app.test_client()
    sign_in_as(kept, runtime, "police1", police)
    page = kept.get(f"/console/tips/{ref_a}").get_data(as_text=True)
    assert ref_p not in page and "No other tip names the same" in related_section(page)
    cases = kept.get("/console/cases").get_data(as_text=True)
    assert ref_p not in cases and ref_a not in cases
    # Asking by reference is refused and audited; nothing is unlinked.
    response = unlink(kept, ref_a, ref_p, "not the same")
    assert response.headers["Location"].endswith("/console/tips")
    assert "handled by other agencies" in kept.get("/console/tips").get_data(as_text=True)
    with runtime.db.read() as s:
        assert s.scalars(select(TipUnlink)).all() == []
        refusals = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "complicity.refused")
        ).all()
        assert any(e.object_id == str(id_p) and e.detail["attempted"] == "unlink" for e in refusals)


@pytest.mark.parametrize("role", ["onac", "admin"])
def test_onac_and_admin_get_403_for_cases_and_unlinking(
    client: FlaskClient, runtime: Runtime, role: str
) -> None:
    _a, ref_a = submit(runtime, TIP_A, "+355691111111")
    _b, ref_b = submit(runtime, TIP_B, "+355692222222")
    sign_in_as(client, runtime, "someone", None, role=role)
    assert client.get("/console/cases").status_code == 403
    token = csrf_token(client, "/console/password")
    response = client.post(
        f"/console/tips/{ref_a}/unlink/{ref_b}", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403
    assert 'href="/console/cases"' not in client.get("/console/password").get_data(as_text=True)


def two_groups(runtime: Runtime) -> None:
    """A group of two tips and a group of three."""
    for text, sender in (
        (TIP_A, "+355691111111"),
        (TIP_B, "+355692222222"),
        (TIP_C, "+355694444444"),
        (TIP_D, "+355695555555"),
        (TIP_E, "+355697777777"),
        (TIP_OTHER, "+355693333333"),
    ):
        submit(runtime, text, sender)


def test_onac_statistics_count_groups_by_size_and_hide_small_ones(
    client: FlaskClient, runtime: Runtime
) -> None:
    two_groups(runtime)
    sign_in_as(client, runtime, "ana", None, role="onac")
    raw = client.get("/console/stats?publishable=0").get_data(as_text=True)
    table = raw[raw.index('id="h-related"') : raw.index("</table>", raw.index('id="h-related"'))]
    cells = re.findall(
        r"<tr(?: class=\"total\")?><td>([^<]+)</td><td class=\"num\">([^<]+)</td>", table
    )
    assert cells == [
        ("2 tips", "1"),
        ("3-4 tips", "1"),
        ("5+ tips", "0"),
        ("total", "2"),
        ("Tips in these groups", "5"),
    ]
    assert not any(form in raw for form in NUMBER_FORMS)
    # Publishable (the default, k=5): counts of one group are hidden, a zero is not.
    shown = client.get("/console/stats").get_data(as_text=True)
    table = shown[
        shown.index('id="h-related"') : shown.index("</table>", shown.index('id="h-related"'))
    ]
    cells = re.findall(r"<td>([^<]+)</td><td class=\"num\">([^<]+)</td>", table)
    assert dict(cells) == {
        "2 tips": "suppressed",
        "3-4 tips": "suppressed",
        "5+ tips": "0",
        "total": "suppressed",
        "Tips in these groups": "suppressed",
    }


def test_raporto_stats_prints_group_counts(tmp_path: Path, sqlite_url: str) -> None:
    runtime = make_runtime(tmp_path, sqlite_url)
    two_groups(runtime)
    env = env_for(tmp_path, sqlite_url)

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["stats", *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    rows = dict(csv.reader(io.StringIO(run("--related", "--raw"))))
    assert rows == {
        "measure": "count",
        "clusters": "2",
        "size_2": "1",
        "size_3_4": "1",
        "size_5_plus": "0",
        "linked_tips": "5",
    }
    body = json.loads(run("--related", "--format", "json"))
    assert body["fields"] == ["measure"]
    assert {r["measure"]: r["count"] for r in body["rows"]} == {
        "clusters": None,
        "size_2": None,
        "size_3_4": None,
        "size_5_plus": 0,
        "linked_tips": None,
    }
    summary = json.loads(run("--summary", "--raw"))
    assert summary["related"] == {
        "clusters": 2,
        "size_2": 1,
        "size_3_4": 1,
        "size_5_plus": 0,
        "linked_tips": 5,
    }
    with runtime.db.read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "stats.export").order_by(AuditEntry.id)
        ).first()
        assert entry is not None and entry.detail["unit"] == "related"


# The Albanian of the new texts (issue 17); the lead merges them into the catalogue.
ALBANIAN = {
    "Related tips": "Raportime të lidhura",
    "phone number": "numër telefoni",
    "Cases": "Rastet",
}


def test_the_pages_render_in_albanian(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_as(client, runtime, "social1", social_official(runtime), lang="sq")
    _a, ref_a = submit(runtime, TIP_A, "+355691111111")
    _b, ref_b = submit(runtime, TIP_B, "+355692222222")
    page = client.get(f"/console/tips/{ref_a}").get_data(as_text=True)
    cases = client.get("/console/cases").get_data(as_text=True)
    assert '<html lang="sq">' in page and '<html lang="sq">' in cases
    section = related_section(page)
    # Column heads the catalogue already has: reference, band, received, channel.
    assert all(word in section for word in ("Kodi", "Prioriteti", "Marrë më", "Kanali"))
    assert ref_b in section and ref_a in cases
    assert [m for m in ALBANIAN if translations("sq").gettext(m) == m] == []
    assert ALBANIAN["Related tips"] in section and ALBANIAN["phone number"] in section
    assert f'href="/console/cases">{ALBANIAN["Cases"]}</a>' in cases
