"""The Albanian voice: every prompt has current audio; Albanian calls play it, English says it."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse

import pytest
from flask.testing import FlaskClient

from bot.info_content import TOPICS
from locales.i18n import gettext
from models.reference import ALPHABET
from models.tables import Tip
from raporto.runtime import Runtime
from tests.helpers import twilio_headers
from webhooks.voice_prompts import (
    CHARACTERS,
    ESPEAK,
    MENU,
    RECORDED,
    VOICE_DIR,
    alert_sequence,
    char_name,
    clips,
    read_manifest,
    text_hash,
    thanks_sequence,
)

ROOT = Path(__file__).resolve().parent.parent
SQ = VOICE_DIR / "sq"
FIX = "run scripts/voice-prompts (after scripts/i18n compile)"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "voice_prompts_cli", ROOT / "scripts/voice_prompts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def wav_format(data: bytes) -> tuple[int, int, int, int, float]:
    """Return (format tag, channels, rate, bits, seconds) of a WAV file's bytes."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    fmt = data.index(b"fmt ")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, fmt + 8)
    size = struct.unpack_from("<I", data, data.index(b"data") + 4)[0]
    return tag, channels, rate, bits, size / (rate * channels * bits / 8)


# ---------------------------------------------------------------- the committed audio


def test_every_prompt_has_albanian_audio() -> None:
    entries = read_manifest(SQ)["prompts"]
    missing = [c.name for c in clips("sq") if c.name not in entries]
    assert missing == [], f"no audio for {missing}: {FIX}"
    for clip in clips("sq"):
        data = (SQ / entries[clip.name]["file"]).read_bytes()
        if entries[clip.name]["source"] == ESPEAK:
            tag, channels, rate, bits, seconds = wav_format(data)
            assert (tag, channels, rate, bits) == (7, 1, 8000, 8), clip.name  # mu-law, phone
            assert 0.2 < seconds < 120, clip.name


def test_the_manifest_hashes_the_current_albanian_text() -> None:
    # A changed translation (or voice setting) leaves its audio saying the old words.
    entries = read_manifest(SQ)["prompts"]
    stale = []
    for clip in clips("sq"):
        entry = entries.get(clip.name)
        if entry is not None and entry["sha256"] != text_hash(clip.text, entry["source"]):
            stale.append(clip.name)
        if entry is not None:
            assert entry["msgid"] == clip.msgid, clip.name
            assert entry["source"] in (ESPEAK, RECORDED)
    assert stale == [], f"the Albanian text changed for {stale}: {FIX} or record them again"


def test_the_manifest_vouches_for_each_file_and_lists_only_used_prompts() -> None:
    entries = read_manifest(SQ)["prompts"]
    assert set(entries) <= {c.name for c in clips("sq")}
    for name, entry in entries.items():
        data = (SQ / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["audio_sha256"], name
    audio = {p.name for p in SQ.iterdir() if p.suffix in (".wav", ".mp3")}
    assert audio == {e["file"] for e in entries.values()}


def test_a_text_hash_changes_with_the_text_and_the_voice() -> None:
    assert text_hash("Faleminderit.", ESPEAK) != text_hash("Faleminderit!", ESPEAK)
    assert text_hash("Faleminderit.", ESPEAK) != text_hash("Faleminderit.", RECORDED)


def test_every_character_of_a_reference_has_a_clip() -> None:
    names = {c.name for c in clips("sq")}
    for char in set(ALPHABET) | set("0123456789"):
        assert char_name(char) in names
    assert set(CHARACTERS) == set(ALPHABET) | set("0123456789")


def test_a_reference_is_read_one_character_at_a_time_twice() -> None:
    chars = ["char_K", "char_7", "char_P", "char_3", "char_X", "char_A"]
    assert thanks_sequence("sq", "K7P-3XA") == ["thanks_1", *chars, "thanks_2", *chars]
    texts = {c.name: c.text for c in clips("sq")}
    assert texts["thanks_1"].startswith("Faleminderit") and "%(" not in texts["thanks_2"]
    for band in ("critical", "high", "medium", "low"):
        assert alert_sequence("sq", band, "K7P-3XA") == [f"alert_1_{band}", *chars, "alert_2"]
    assert "kritik" in texts["alert_1_critical"] and "%(" not in texts["alert_1_critical"]
    assert texts["alert_2"] == "Për ta konfirmuar, shtypni 1."


# ---------------------------------------------------------------- TwiML


def post(client: FlaskClient, runtime: Runtime, path: str, **form: str) -> ET.Element:
    data = {"CallSid": "CA" + "6" * 32, "From": "+355691111444", **form}
    response = client.post(path, data=data, headers=twilio_headers(runtime, path, data))
    assert response.status_code == 200, response.data
    return ET.fromstring(response.data)


def played(root: ET.Element) -> list[str]:
    """Return the clip names a TwiML document plays, in order."""
    return [Path(urlparse(p.text or "").path).stem for p in root.iter("Play")]


def assert_albanian_is_played(root: ET.Element) -> None:
    assert [s.text for s in root.iter("Say")] == [], "Albanian must be played, not said"
    for play in root.iter("Play"):
        url = urlparse(play.text or "")
        assert url.path.startswith("/voice-prompts/sq/") and url.query.startswith("v=")


def test_the_greeting_plays_albanian_and_says_english(
    client: FlaskClient, runtime: Runtime
) -> None:
    gather = post(client, runtime, "/webhooks/twilio/voice").find("Gather")
    assert gather is not None
    assert [child.tag for child in gather] == ["Play", "Say"]
    assert played(gather) == ["greeting"]
    [english] = gather.iter("Say")
    assert english.get("language") == "en-GB"
    assert english.text == gettext("en", "For English, press 2.")


def test_the_albanian_line_plays_every_step(client: FlaskClient, runtime: Runtime) -> None:
    menu = post(client, runtime, "/webhooks/twilio/voice/menu?lang=sq")
    assert played(menu) == ["menu"]
    record = post(client, runtime, "/webhooks/twilio/voice/choice?lang=sq", Digits="3")
    assert played(record) == ["no_operator", "record"]  # no operator configured
    info = post(client, runtime, "/webhooks/twilio/voice/info?lang=sq")
    assert played(info) == [f"info_{t.key}_choice" for t in TOPICS] + ["info_back"]
    topics = [
        post(client, runtime, "/webhooks/twilio/voice/info/topic?lang=sq", Digits=str(n))
        for n in range(1, len(TOPICS) + 1)
    ]
    assert [played(t) for t in topics] == [[f"info_{t.key}"] for t in TOPICS]
    fallback = post(client, runtime, "/webhooks/twilio/fallback/voice?lang=sq")
    assert played(fallback) == ["fallback"]
    assert [s.get("language") for s in fallback.iter("Say")] == ["en-GB"]
    for root in (menu, record, info, *topics):
        assert_albanian_is_played(root)


def test_the_code_is_played_character_by_character(client: FlaskClient, runtime: Runtime) -> None:
    form = {"RecordingSid": "RE" + "6" * 32, "RecordingDuration": "9"}
    root = post(client, runtime, "/webhooks/twilio/voice/recorded?lang=sq", **form)
    assert_albanian_is_played(root)
    with runtime.db.transaction() as s:
        reference = s.query(Tip).one().reference
    chars = [char_name(c) for c in reference if c != "-"]
    assert played(root) == ["thanks_1", *chars, "thanks_2", *chars]
    assert root.find("Hangup") is not None


def test_english_is_said_with_an_english_voice(client: FlaskClient, runtime: Runtime) -> None:
    for path in ("/webhooks/twilio/voice/menu?lang=en", "/webhooks/twilio/voice/info?lang=en"):
        root = post(client, runtime, path)
        assert played(root) == []
        says = list(root.iter("Say"))
        assert says and all(s.get("language") == "en-GB" for s in says)


def test_a_missing_clip_is_said_rather_than_skipped(
    client: FlaskClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webhooks.voice_play.playable", lambda lang: {})
    root = post(client, runtime, "/webhooks/twilio/voice/menu?lang=sq")
    assert played(root) == []
    assert [s.text for s in root.iter("Say")] == [gettext("sq", MENU)]


def test_the_prompts_are_served_as_audio_and_nothing_else(client: FlaskClient) -> None:
    response = client.get("/voice-prompts/sq/menu.wav?v=1")
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data == (SQ / "menu.wav").read_bytes()
    for other in ("manifest.json", "nothing.wav", "..%2Fsq%2Fmenu.wav"):
        assert client.get(f"/voice-prompts/sq/{other}").status_code == 404


# ---------------------------------------------------------------- the generator


def test_the_generator_speaks_a_prompt_with_espeak_ng(tmp_path: Path) -> None:
    assert shutil.which("espeak-ng"), "espeak-ng is missing: apt-get install espeak-ng"
    assert shutil.which("sox"), "sox is missing: apt-get install sox"
    generator = load_generator()
    report = generator.build(tmp_path, only={"char_7"})
    assert report.generated == ["char_7"] and report.problems == []
    data = (tmp_path / "char_7.wav").read_bytes()
    tag, channels, rate, bits, seconds = wav_format(data)
    assert (tag, channels, rate, bits) == (7, 1, 8000, 8)
    assert 0.3 < seconds < 2
    samples = data[data.index(b"data") + 8 :]
    assert len(set(samples)) > 20, "the clip is silent"
    [entry] = read_manifest(tmp_path)["prompts"].values()
    assert entry["sha256"] == text_hash("shtatë", ESPEAK) and entry["source"] == ESPEAK
    assert entry["audio_sha256"] == hashlib.sha256(data).hexdigest()
    assert generator.build(tmp_path, only={"char_7"}).unchanged == ["char_7"]
    # The same text gives the same bytes (no dither), so git sees only clips that changed.
    again = tmp_path / "again"
    generator.build(again, only={"char_7"})
    assert (again / "char_7.wav").read_bytes() == data


def test_phone_numbers_are_read_digit_by_digit_and_ages_as_numbers() -> None:
    spoken = load_generator().spoken
    assert spoken("Telefononi 116 006 ose 112.") == "Telefononi 1, 1, 6 0, 0, 6 ose 1, 1, 2."
    assert spoken("nën 18 vjeç, të paktën 30 ditë") == "nën 18 vjeç, të paktën 30 ditë"


def test_a_recording_is_registered_and_never_overwritten(tmp_path: Path) -> None:
    generator = load_generator()
    recording = tmp_path / "in" / "menu.mp3"
    recording.parent.mkdir()
    recording.write_bytes(b"ID3 a person's voice")
    out = tmp_path / "sq"
    out.mkdir()
    (out / "menu.wav").write_bytes(b"generated")
    assert generator.register_recording(out, recording) == "menu"
    assert not (out / "menu.wav").exists()
    entry = read_manifest(out)["prompts"]["menu"]
    menu = next(c for c in clips("sq") if c.name == "menu")
    assert entry["source"] == RECORDED and entry["sha256"] == text_hash(menu.text, RECORDED)
    report = generator.build(out, only={"menu"}, force=True)
    assert report.generated == [] and report.problems == []
    assert (out / "menu.mp3").read_bytes() == b"ID3 a person's voice"


def test_an_unregistered_recording_is_not_overwritten(tmp_path: Path) -> None:
    generator = load_generator()
    (tmp_path / "greeting.mp3").write_bytes(b"ID3 dropped in")
    report = generator.build(tmp_path, only={"greeting"})
    assert report.generated == [] and "greeting.mp3" in report.problems[0]
    assert (tmp_path / "greeting.mp3").read_bytes() == b"ID3 dropped in"
    assert generator.main(["--out", str(tmp_path), "--only", "greeting"]) == 1
