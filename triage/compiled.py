"""The compiled catalogue as a build artefact: parsed catalogue, lemmatisers and engines.

Parsing the YAML and compiling some 4,000 patterns took most of a second at every start-up.
`scripts/build-compiled` runs that compilation once and pickles the result (zlib-compressed) to
`compiled.pickle`, headed by a digest of everything it was compiled from: the data files, the
compiling modules' source and spaCy's version (its tokenizer splits some pattern words). At
start-up the artefact
is used only when that digest matches the package as it is; when it is missing or stale the
catalogue is compiled in-process exactly as before (slower, same results), and
tests/test_triage_compiled.py fails until the artefact is rebuilt.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import pickle
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from triage.catalogue import DATA_FILES, LANGUAGES, Catalogue, parse_catalogue

if TYPE_CHECKING:
    from triage.compiler import CompiledLanguage

ARTEFACT_FILE = "compiled.pickle"
FORMAT = 2  # bump when the artefact's layout changes in a way the sources below do not show
# The modules whose code decides what compilation produces (their source is in the digest).
SOURCES = (
    "catalogue.py",
    "compiled.py",
    "compiler.py",
    "engine.py",
    "forms.py",
    "lexicon.py",
    "normalise.py",
    "patterns.py",
    "places.py",
    "slotmatch.py",
)


@dataclass(frozen=True)
class Compiled:
    """What the artefact holds: the catalogue and each language's compiled patterns."""

    digest: str
    catalogue: Catalogue
    languages: Mapping[str, CompiledLanguage]


def _spacy_version() -> str:
    # From the installed metadata, not by importing spaCy: the data-build environment of
    # scripts/build-forms reads the catalogue without spaCy (and then never uses the artefact).
    try:
        return importlib.metadata.version("spacy")
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def inputs_digest() -> str:
    """A digest of the data files, compiling code and spaCy version the artefact depends on."""
    package = resources.files("triage")
    digest = hashlib.sha256(f"format {FORMAT}\nspacy {_spacy_version()}\n".encode())
    for name in (*DATA_FILES, *SOURCES):
        digest.update(f"\n{name}\n".encode())
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


def _read() -> bytes | None:
    try:
        return resources.files("triage").joinpath(ARTEFACT_FILE).read_bytes()
    except FileNotFoundError:
        return None


def stored_digest() -> str | None:
    """The digest the packaged artefact was built with (None when there is no artefact)."""
    raw = _read()
    return None if raw is None else raw.partition(b"\n")[0].decode("ascii")


@cache
def load() -> Compiled | None:
    """The packaged artefact when it was compiled from the package as it is now, else None."""
    raw = _read()
    if raw is None:
        return None
    header, _, body = raw.partition(b"\n")
    if header.decode("ascii") != inputs_digest():
        return None  # stale: the caller compiles in-process
    # Unpickling allocates some 100,000 objects; the cyclic collector's passes over them tripled
    # the load time, and nothing here is garbage.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        # Only ever this file, shipped inside the package beside the code that reads it (never
        # user input, never a path from outside): it is exactly as trusted as that code.
        found = pickle.loads(zlib.decompress(body))  # noqa: S301
    except ImportError:
        return None  # no spaCy here (a data-build environment): the catalogue is parsed instead
    finally:
        if was_enabled:
            gc.enable()
    return found if isinstance(found, Compiled) else None


def build() -> bytes:
    """Compile the catalogue in-process, ignoring any artefact, and return the artefact's bytes."""
    from triage.compiler import compile_language  # here: it imports spaCy's pipelines

    digest = inputs_digest()
    catalogue = parse_catalogue()
    languages = {lang: compile_language(lang, catalogue)[0] for lang in LANGUAGES}
    body = pickle.dumps(Compiled(digest, catalogue, languages), protocol=pickle.HIGHEST_PROTOCOL)
    # Compressed (zlib level 6): a third of the size in the repository for every rebuild, for
    # some 35 ms more at start-up.
    return digest.encode("ascii") + b"\n" + zlib.compress(body, 6)
