"""Pure pieces: reference codes, number facts, settings, crypto, the queue seam."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from alerts.queue import InProcessQueue, Job, JobTable
from bot.language import guess_language
from bot.sms_flow import keyword
from models.crypto import Pseudonymizer, Vault
from models.operators import normalise_number, number_facts
from models.reference import ALPHABET, find_reference, new_reference
from raporto.settings import PRODUCTION_SECRETS, ConfigError, load


def test_reference_codes_avoid_confusable_characters() -> None:
    for _ in range(500):
        code = new_reference()
        assert set(code.replace("-", "")) <= set(ALPHABET)
        assert not set(code) & set("0O1IL2Z5S8B6GUV")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("K7P-3XA", "K7P-3XA"),
        ("ref k7p3xa please", "K7P-3XA"),
        ("kodi: k7p 3xa", "K7P-3XA"),
        ("She worked as a DANCER", None),
        ("MATTER", None),
        ("347 934", None),
        ("no code", None),
    ],
)
def test_reference_codes_are_found_in_free_text(text: str, found: str | None) -> None:
    assert find_reference(text) == found


@pytest.mark.parametrize(
    ("number", "operator", "country"),
    [
        ("+355691234567", "Vodafone", "AL"),
        ("0691234567", "Vodafone", "AL"),
        ("068 123 4567", "One", "AL"),
        ("+355671234567", "PLUS", "AL"),
        ("+355661234567", "One", "AL"),
        ("+3554222333", "fixed", "AL"),
        ("+306912345678", "foreign", "GR"),
        ("+393331234567", "foreign", "IT"),
        ("not a number", None, None),
    ],
)
def test_operator_and_country_come_from_the_prefix_table(
    number: str, operator: str | None, country: str | None
) -> None:
    facts = number_facts(number)
    assert (facts.operator, facts.country) == (operator, country)


def test_albanian_national_numbers_normalise_to_e164() -> None:
    assert normalise_number("069 123 4567") == "+355691234567"


def test_pseudonyms_are_keyed_stable_and_namespaced() -> None:
    a, b = Pseudonymizer(b"a" * 32), Pseudonymizer(b"b" * 32)
    assert a("tel", "+355691234567") == a("tel", "+355691234567")
    assert a("tel", "+355691234567") != b("tel", "+355691234567")
    assert a("tel", "1") != a("tg", "1")
    import hashlib

    assert a("tel", "+355691234567") != hashlib.sha256(b"+355691234567").hexdigest()


def test_the_vault_decrypts_with_any_key_and_encrypts_with_the_first() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Vault([old]).encrypt_text("fjalë")
    assert Vault([new, old]).decrypt_text(token) == "fjalë"
    assert Vault([new]).decrypt_text(Vault([new, old]).rotate(token)) == "fjalë"


def test_production_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load({"RAPORTO_ENV": "production", "RAPORTO_INSTANCE_PATH": str(tmp_path)})
    for name in PRODUCTION_SECRETS:
        assert name in str(error.value)
    assert not (tmp_path / "dev-secrets.json").exists()


def test_production_requires_https(tmp_path: Path) -> None:
    env = {name: "x" for name in PRODUCTION_SECRETS}
    env.update(RAPORTO_ENV="production", PUBLIC_BASE_URL="http://tips.example.org")
    with pytest.raises(ConfigError, match="https"):
        load(env)


def test_development_keys_are_generated_once_and_reused(tmp_path: Path) -> None:
    env = {"RAPORTO_INSTANCE_PATH": str(tmp_path / "instance")}
    first, second = load(env), load(env)
    assert first.encryption_keys == second.encryption_keys
    assert first.pseudonym_key == second.pseudonym_key and len(first.pseudonym_key) == 32
    assert first.sandbox and first.database_url.startswith("sqlite:///")
    assert (tmp_path / "instance" / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_a_bad_encryption_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Fernet"):
        load({"RAPORTO_INSTANCE_PATH": str(tmp_path), "RAPORTO_ENCRYPTION_KEYS": "nope"})


def test_jobs_carry_integer_ids_only_and_are_named_by_job() -> None:
    queue = InProcessQueue()
    assert queue.enqueue(Job.SWEEP)
    with pytest.raises(TypeError):
        queue.enqueue(Job.SEND_OUTBOUND, "+355691234567")  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # a dotted path is no longer a job: the table decides
        queue.enqueue("raporto.jobs.sweep")  # type: ignore[arg-type]


def test_an_in_process_queue_runs_jobs_with_the_handlers_it_was_bound_to() -> None:
    ran: list[tuple[str, tuple[int, ...]]] = []
    queue = InProcessQueue()
    queue.enqueue(Job.DELIVER, 7)  # nothing bound yet: dropped with a log, left to the sweeper
    queue.drain()
    queue.bind(
        JobTable(
            handlers={
                Job.DELIVER: lambda *ids: ran.append(("deliver", ids)),
                Job.SWEEP: lambda: ran.append(("sweep", ())),
            },
            entry=print,
        )
    )
    queue.enqueue(Job.SWEEP, queue="low")
    queue.enqueue(Job.DELIVER, 1, 2, queue="critical")
    queue.drain()
    assert ran == [("deliver", (1, 2)), ("sweep", ())]  # priority order, then none lost


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("STOP", "stop"),
        ("ndalo", "stop"),
        ("Info", "help"),
        ("NDIHMË", "help"),
        ("start", "start"),
        ("stop the abuse", None),
    ],
)
def test_sms_keywords(body: str, kind: str | None) -> None:
    assert keyword(body) == kind


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Vajza është në Greqi", "sq"),
        ("vajza punon ne bar, nuk e lene te ike", "sq"),
        ("The girl is not allowed to leave", "en"),
        ("ok", "sq"),
    ],
)
def test_reply_language_guess(text: str, lang: str) -> None:
    assert guess_language(text) == lang
