"""The compiled catalogue artefact (triage/compiled.pickle): fresh, and the same as compiling."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from triage import compiled, matching
from triage.catalogue import LANGUAGES, parse_catalogue
from triage.compiler import compile_language

DEV = Path(__file__).resolve().parent / "data" / "triage_dev.jsonl"


def test_the_artefact_was_compiled_from_the_package_as_it_is_now() -> None:
    # Fails when the catalogue, lemma/place tables, forms_sq.json or compiling code changed
    # without running scripts/build-compiled (start-up then compiles in-process: slow, correct).
    assert compiled.stored_digest() == compiled.inputs_digest(), (
        "triage/compiled.pickle is stale: run scripts/build-compiled"
    )
    assert compiled.load() is not None


def test_a_stale_artefact_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled.load.cache_clear()
    monkeypatch.setattr(compiled, "inputs_digest", lambda: "0" * 64)
    try:
        assert compiled.load() is None
    finally:
        compiled.load.cache_clear()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_artefact_holds_what_an_in_process_build_compiles(lang: str) -> None:
    artefact = compiled.load()
    assert artefact is not None, "triage/compiled.pickle is missing or stale"
    stored = artefact.languages[lang]
    built, _ = compile_language(lang, parse_catalogue())
    assert artefact.catalogue == parse_catalogue()
    assert stored.rules == built.rules
    assert stored.early_norms == built.early_norms
    for table in ("explicit", "generated", "stems", "prefixes"):
        assert getattr(stored.lemmatiser, table) == getattr(built.lemmatiser, table), table
    assert len(stored.engine.patterns) == len(built.engine.patterns)
    assert stored.engine.owners == built.engine.owners
    assert stored.engine.required == built.engine.required


def test_the_artefact_finds_the_same_matches_as_an_in_process_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = [line for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    texts = [str(json.loads(line)["text"]) for line in lines[::61]]
    assert compiled.load() is not None, "triage/compiled.pickle is missing or stale"
    from_artefact = [matching.find(text) for text in texts]
    catalogue = parse_catalogue()
    in_process = {}
    for lang in LANGUAGES:
        part, nlp = compile_language(lang, catalogue)
        in_process[lang] = matching.Pipeline(lang, nlp, part.lemmatiser, part.engine, part.rules)
    monkeypatch.setattr(matching, "pipeline", in_process.__getitem__)
    assert [matching.find(text) for text in texts] == from_artefact
    assert sum(len(found) for found in from_artefact) > 2 * len(texts)  # real matches compared


def test_the_catalogue_loads_where_spacy_is_not_installed() -> None:
    # scripts/build-forms reads the catalogue in its own environment, which has no spaCy.
    code = (
        "import sys; sys.modules['spacy'] = None\n"
        "from triage import catalogue\n"
        "print(len(catalogue.load().indicators))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert int(out.stdout.strip()) > 50
