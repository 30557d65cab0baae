"""A ciphertext's length must not tell the length of what was written; old material opens."""

from __future__ import annotations

import nacl.secret
import pytest
from django.urls import reverse
from nacl.public import PrivateKey, PublicKey, SealedBox

from saferwork.reporting import crypto
from saferwork.reporting.models import Message, Report
from saferwork.reporting.tests.helpers import follow_up, submit

SAMPLES = 300


def _lengths(plaintext: bytes, public: bytes) -> set[int]:
    return {len(crypto.seal(public, plaintext)) for _ in range(SAMPLES)}


def test_the_same_message_sealed_many_times_has_lengths_that_vary():
    public, _private = crypto.new_keypair()
    # 1,000 bytes falls in two buckets depending on the random extra: P(all 300 alike) < 1e-70.
    lengths = _lengths(b"m" * 1000, public)
    assert len(lengths) > 1
    key = crypto.new_secret_key()
    assert len({len(crypto.secretbox_encrypt(key, b"m" * 1000)) for _ in range(SAMPLES)}) > 1


def test_ciphertext_length_is_not_plaintext_length_plus_a_constant():
    public, _private = crypto.new_keypair()
    overheads = {len(crypto.seal(public, b"x" * n)) - n for n in range(0, 3000, 7)}
    assert len(overheads) > 50
    # Neighbouring lengths cannot be told apart: 1,000 and 1,010 bytes share a length.
    assert _lengths(b"a" * 1000, public) & _lengths(b"b" * 1010, public)


def test_short_texts_all_have_one_length():
    public, _private = crypto.new_keypair()
    short = {len(crypto.seal(public, text.encode())) for text in ["yes", "no", "He said it again today. " * 10]}
    assert len(short) == 1


def test_padding_stays_within_about_a_tenth():
    public, _private = crypto.new_keypair()
    for size in (5_000, 100_000, 2_000_000):
        assert size < len(crypto.seal(public, bytes(size))) <= size * 1.09 + 100


def test_padded_ciphertexts_open_to_exactly_what_was_sealed():
    public, private = crypto.new_keypair()
    key = crypto.new_secret_key()
    for plaintext in [b"", b"\x00", b"\x00" * 300, "é and ✓".encode(), bytes(range(256)) * 40]:
        assert crypto.unseal(private, crypto.seal(public, plaintext)) == plaintext
        assert crypto.secretbox_decrypt(key, crypto.secretbox_encrypt(key, plaintext)) == plaintext


def test_material_sealed_before_padding_still_opens(monkeypatch):
    public, private = crypto.new_keypair()
    key = crypto.new_secret_key()
    # What seal() and secretbox_encrypt() wrote before padding existed.
    old_sealed = bytes(SealedBox(PublicKey(public)).encrypt(b"an old report"))
    old_boxed = bytes(nacl.secret.SecretBox(key).encrypt(b"an old wrapped key"))
    assert crypto.unseal(private, old_sealed) == b"an old report"
    assert crypto.secretbox_decrypt(key, old_boxed) == b"an old wrapped key"
    # An old ciphertext that happens to start with the marker still opens as it was.
    monkeypatch.setattr(crypto, "PADDED", old_sealed[:4])
    assert crypto.unseal(private, old_sealed) == b"an old report"
    monkeypatch.setattr(crypto, "PADDED", old_boxed[:4])
    assert crypto.secretbox_decrypt(key, old_boxed) == b"an old wrapped key"


def test_wrong_keys_still_open_nothing():
    public, _private = crypto.new_keypair()
    sealed = crypto.seal(public, b"secret")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(bytes(PrivateKey.generate()), sealed)
    with pytest.raises(crypto.DecryptionError):
        crypto.secretbox_decrypt(crypto.new_secret_key(), crypto.secretbox_encrypt(crypto.new_secret_key(), b"x"))


@pytest.mark.django_db
def test_stored_answers_messages_and_alert_address_are_padded(client, reporting_org, handler):
    receipt = submit(client, reporting_org.slug)
    follow_up(client, reporting_org.slug, receipt)
    client.post(reverse("reporting:follow_up_case", args=[reporting_org.slug]), {"body": "x"})
    report = Report.objects.get()
    stored = [bytes(report.content), bytes(report.notify_email), bytes(report.receipt_wrapped_private_key)]
    stored += [bytes(m.body) for m in Message.objects.filter(report=report)]
    assert len(stored) >= 4
    assert all(value.startswith(crypto.PADDED) for value in stored)
