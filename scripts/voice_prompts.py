"""Generate the Albanian voice prompts with espeak-ng: 8 kHz mono G.711 mu-law WAV files.

Run by `scripts/voice-prompts`. Every clip named by webhooks/voice_prompts.py is spoken from its
current Albanian gettext text; a clip whose text and voice settings hash as in manifest.json is
skipped. A recorded file registered with --recorded is never overwritten. sox (Debian) does the
audio work: mu-law at 8 kHz is the telephone's own format, so Twilio plays it without transcoding
it again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webhooks.voice_prompts import (  # noqa: E402
    ESPEAK,
    MANIFEST,
    RECORDED,
    VOICE_DIR,
    Clip,
    clips,
    read_manifest,
    text_hash,
)

LANG = "sq"
RATE = 8000
AUDIO_EXTS = (".wav", ".mp3")
ABOUT = (
    "Albanian voice prompts for Twilio <Play>: made by scripts/voice-prompts with espeak-ng "
    "(source espeak-ng) unless recorded by a person (source recorded). To use a recording, put "
    "NAME.wav or NAME.mp3 anywhere and run `scripts/voice-prompts --recorded path/NAME.mp3`: it "
    "is copied here, marked recorded and never overwritten. sha256 hashes the Albanian text with "
    "the voice; when the text changes, tests/test_voice_prompts.py fails until the clip is "
    "generated again or recorded again."
)


def espeak_version() -> str:
    """Return espeak-ng's version, failing loudly when it is not installed."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed: apt-get install espeak-ng (scripts/services)")
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split("Data at")[0].replace("eSpeak NG text-to-speech:", "").strip()


# Phone numbers (112, 129, 116 006) are dialled digit by digit, so they are read that way;
# ages and days ("18", "30") stay numbers.
PHONE_GROUP = re.compile(r"\b\d{3}\b")


def spoken(text: str) -> str:
    """The text as espeak-ng should read it: three-digit groups one digit at a time."""
    return PHONE_GROUP.sub(lambda m: ", ".join(m.group(0)), text)


def render(clip: Clip) -> bytes:
    """Speak one clip and return its WAV bytes: trimmed, padded, levelled, 8 kHz mu-law."""
    speech = subprocess.run(
        ["espeak-ng", "-v", "sq", "-s", "150", "-a", "100", "--stdout", spoken(clip.text)],
        capture_output=True,
        check=True,
    ).stdout
    # A character of a code gets a short lead and a longer pause after it, to write it down.
    lead, tail = ("0.05", "0.35") if clip.name.startswith("char_") else ("0.15", "0.4")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "clip.wav"
        # sox does the audio work: trim the silence at both ends, level to -3 dBFS, resample to
        # 8 kHz (its band-limited resampler) and encode G.711 mu-law. -D: no dither, so the
        # same text always gives the same bytes and git sees only clips that changed.
        subprocess.run(
            ["sox", "-D", "-t", "wav", "-", "-r", str(RATE), "-c", "1", "-e", "u-law", str(out)]
            + ["silence", "1", "0.01", "1%", "reverse", "silence", "1", "0.01", "1%", "reverse"]
            + ["norm", "-3", "pad", lead, tail, "rate", "-v", str(RATE)],
            input=speech,
            capture_output=True,
            check=True,
        )
        audio = out.read_bytes()
    if len(audio) < 1000:
        raise RuntimeError(f"espeak-ng said nothing for {clip.name}")
    return audio


@dataclass
class Report:
    """What a run did (and what it could not do) per clip name."""

    generated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stray(out: Path, name: str, entry: dict[str, Any] | None) -> Path | None:
    # An audio file under the clip's name that the manifest does not vouch for: a recording
    # dropped in without --recorded. It is never overwritten.
    for ext in AUDIO_EXTS:
        path = out / f"{name}{ext}"
        if not path.exists():
            continue
        if entry is None or entry["file"] != path.name or entry.get("audio_sha256") != _sha(path):
            return path
    return None


def build(out: Path, only: set[str] | None = None, force: bool = False) -> Report:
    """Generate the clips whose audio is missing or stale into out and update its manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out)
    entries: dict[str, Any] = manifest["prompts"]
    wanted = [c for c in clips(LANG) if only is None or c.name in only]
    report = Report()
    version = ""
    for clip in wanted:
        entry = entries.get(clip.name)
        if entry and entry["source"] == RECORDED and (out / entry["file"]).exists():
            if entry["sha256"] != text_hash(clip.text, RECORDED):
                report.problems.append(f"{clip.name}: the text changed; record it again")
            continue
        stray = _stray(out, clip.name, entry)
        if stray is not None:
            report.problems.append(f"{stray.name}: not generated here; run --recorded {stray}")
            continue
        if not clip.translated:
            report.problems.append(f"{clip.name}: no Albanian translation yet (compile first)")
            continue
        fresh = entry is not None and entry["sha256"] == text_hash(clip.text, ESPEAK)
        if fresh and entry is not None and (out / entry["file"]).exists() and not force:
            report.unchanged.append(clip.name)
            continue
        version = version or espeak_version()
        path = out / f"{clip.name}.wav"
        path.write_bytes(render(clip))
        entries[clip.name] = _entry(clip, path, ESPEAK, f"espeak-ng {version}")
        report.generated.append(clip.name)
    if only is None:
        _forget_unused(out, entries, {c.name for c in wanted})
    _write_manifest(out, entries)
    return report


def _entry(clip: Clip, path: Path, source: str, voice: str) -> dict[str, Any]:
    return {
        "file": path.name,
        "msgid": clip.msgid,
        "sha256": text_hash(clip.text, source),
        "source": source,
        "voice": voice,
        "audio_sha256": _sha(path),
    }


def _forget_unused(out: Path, entries: dict[str, Any], names: set[str]) -> None:
    for name in sorted(set(entries) - names):
        entry = entries.pop(name)
        if entry["source"] != RECORDED:
            (out / entry["file"]).unlink(missing_ok=True)
        else:
            print(f"{entry['file']}: a recording no prompt uses any more (kept)", file=sys.stderr)


def _write_manifest(out: Path, entries: dict[str, Any]) -> None:
    data = {"about": ABOUT, "lang": LANG, "prompts": dict(sorted(entries.items()))}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    (out / MANIFEST).write_text(text, encoding="utf-8")


def register_recording(out: Path, source: Path) -> str:
    """Copy a recorded NAME.wav or NAME.mp3 into out and mark it recorded in the manifest."""
    by_name = {c.name: c for c in clips(LANG)}
    clip = by_name.get(source.stem)
    if clip is None or source.suffix.lower() not in AUDIO_EXTS or not source.is_file():
        raise SystemExit(f"{source.name}: not a prompt's NAME.wav or NAME.mp3 (see manifest.json)")
    target = out / f"{clip.name}{source.suffix.lower()}"
    if source.resolve() != target.resolve():
        shutil.copyfile(source, target)
    for ext in AUDIO_EXTS:  # the generated twin goes
        if ext != target.suffix:
            (out / f"{clip.name}{ext}").unlink(missing_ok=True)
    entries = read_manifest(out)["prompts"]
    entries[clip.name] = _entry(clip, target, RECORDED, "recorded")
    _write_manifest(out, entries)
    return clip.name


def main(argv: list[str] | None = None) -> int:
    """Generate or register the voice prompts; return the exit status."""
    parser = argparse.ArgumentParser(prog="scripts/voice-prompts", description=__doc__)
    parser.add_argument("--out", type=Path, default=VOICE_DIR / LANG, help="the prompts' folder")
    parser.add_argument("--only", action="append", metavar="NAME", help="only this clip")
    parser.add_argument("--force", action="store_true", help="regenerate unchanged clips too")
    parser.add_argument("--recorded", type=Path, action="append", metavar="FILE", default=[])
    args = parser.parse_args(argv)
    for source in args.recorded:
        print(f"{register_recording(args.out, source)}: recorded")
    if args.recorded:
        return 0
    report = build(args.out, set(args.only) if args.only else None, args.force)
    print(f"{len(report.generated)} generated, {len(report.unchanged)} unchanged")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
