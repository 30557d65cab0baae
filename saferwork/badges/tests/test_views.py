from __future__ import annotations

import re
import time
import zlib

import pytest

from saferwork.accounts.decorators import SUDO_SESSION_KEY
from saferwork.audit.models import AuditEntry
from saferwork.badges.models import Credential
from saferwork.tests import factories


def pdf_text(content: bytes) -> str:
    """The text drawn on a PDF from fpdf2 (zlib-compressed page streams, Latin-1 strings)."""
    chunks = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
    out = []
    for chunk in chunks:
        try:
            out.append(zlib.decompress(chunk).decode("latin-1"))
        except zlib.error:
            continue
    return "".join("".join(re.findall(r"\((.*?)\) ?Tj", page)) for page in out)


def grant_sudo(client):
    session = client.session
    session[SUDO_SESSION_KEY] = int(time.time()) + 600
    session.save()


# ---------------------------------------------------------------- public, no sign-in


def test_public_page_says_valid_and_lists_the_checks(client, issue):
    credential = issue()
    response = client.get(f"/badges/{credential.id}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Valid" in text
    for label in ("Signature", "Signature (JWT copy)", "Issuer", "Validity period", "Revocation", "Recipient"):
        assert f">{label}<" in text
    assert "pat@example.org" not in text


def test_public_page_says_revoked_with_the_date_but_not_the_reason(client, issue, programme_admin):
    from saferwork.badges import services

    credential = issue()
    services.revoke_badge(credential=credential, reason="Confidential reason", actor=programme_admin)
    text = client.get(f"/badges/{credential.id}/").content.decode()
    assert "Revoked on" in text
    assert "Confidential reason" not in text


def test_unknown_badge_is_404(client, db):
    assert client.get("/badges/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_downloads_are_the_signed_forms(client, issue):
    credential = issue()
    response = client.get(f"/badges/{credential.id}/credential.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response.json() == credential.document
    response = client.get(f"/badges/{credential.id}/credential.jwt")
    assert response.content.decode() == credential.jwt


def test_certificate_is_a_pdf_only_while_the_badge_is_valid(client, issue, programme_admin):
    from saferwork.badges import services

    credential = issue()
    response = client.get(f"/badges/{credential.id}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Sexual harassment prevention training" in text
    assert str(credential.id) in text
    assert f"/badges/{credential.id}/" in text
    assert "pat@example.org" not in text
    services.revoke_badge(credential=credential, reason="x", actor=programme_admin)
    response = client.get(f"/badges/{credential.id}/certificate.pdf")
    assert response.status_code == 410


def test_issuer_profile_keys_and_achievements_are_published(client, issue):
    credential = issue(show_topic=False)
    issuer = client.get("/badges/issuer.json").json()
    assert issuer["id"] == credential.document["issuer"]["id"]
    assert issuer["type"] == ["Profile"]
    [method] = issuer["assertionMethod"]
    assert method["id"] == credential.document["proof"]["verificationMethod"]

    key = client.get(method["id"].split("127.0.0.1:8000")[1]).json()
    assert key["type"] == "Multikey" and key["publicKeyMultibase"].startswith("z6Mk")
    assert key["publicKeyJwk"]["crv"] == "Ed25519"
    assert client.get("/badges/keys/ed25519-0000000000000000.json").status_code == 404

    neutral = client.get("/badges/achievements/workplace-culture.json").json()
    assert neutral["name"] == "Workplace culture training"
    assert "harass" not in str(neutral).lower()
    topic = client.get("/badges/achievements/sexual-harassment-prevention.json").json()
    assert topic["name"] == "Sexual harassment prevention training"
    assert client.get("/badges/achievements/nothing.json").status_code == 404


def test_paste_form_checks_a_credential(client, issue):
    credential = issue()
    response = client.post("/badges/verify/", {"credential": credential.jwt})
    assert response.status_code == 200
    assert "Valid" in response.content.decode()
    response = client.post("/badges/verify/", {"credential": credential.jwt[:-3] + "abc"})
    assert "Signature invalid" in response.content.decode()
    response = client.post("/badges/verify/", {"credential": ""})
    assert "Paste a badge credential" in response.content.decode()


def test_paste_form_is_rate_limited(client, issue, settings):
    settings.RATE_LIMIT_BADGE_VERIFY = (3, 3600)
    credential = issue()
    for _ in range(3):
        assert client.post("/badges/verify/", {"credential": credential.jwt}).status_code == 200
    response = client.post("/badges/verify/", {"credential": credential.jwt})
    assert response.status_code == 429
    assert "Too many checks" in response.content.decode()


def test_email_check_on_the_public_page(client, issue):
    credential = issue("pat@example.org")
    yes = client.post(f"/badges/{credential.id}/", {"email": "PAT@example.org"}).content.decode()
    assert "That address matches" in yes
    no = client.post(f"/badges/{credential.id}/", {"email": "sam@example.org"}).content.decode()
    assert "does not match" in no


# ---------------------------------------------------------------- programme admins


def test_programme_admin_sees_the_badge_list(verified_client, programme_admin, issue):
    credential = issue()
    response = verified_client(programme_admin).get("/programme/badges/")
    assert response.status_code == 200
    assert str(credential.id)[:8] in response.content.decode()


@pytest.mark.parametrize("url", ["/programme/badges/", "/programme/badges/{id}/revoke/"])
def test_outsider_cannot_list_or_revoke_badges(verified_client, outsider, issue, url):
    credential = issue()
    client = verified_client(outsider)
    grant_sudo(client)
    assert client.get(url.format(id=credential.id)).status_code == 403
    assert client.post(url.format(id=credential.id), {"reason": "x", "confirm": "on"}).status_code == 403
    assert not Credential.objects.get(pk=credential.pk).is_revoked


def test_programme_host_member_without_the_admin_flag_cannot_revoke(verified_client, programme_host, issue):
    coordinator = factories.member(programme_host, is_coordinator=True)
    credential = issue()
    client = verified_client(coordinator)
    grant_sudo(client)
    assert (
        client.post(f"/programme/badges/{credential.id}/revoke/", {"reason": "x", "confirm": "on"}).status_code == 403
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, issue):
    credential = issue()
    assert client.get("/programme/badges/").status_code == 302
    assert client.get(f"/programme/badges/{credential.id}/revoke/").status_code == 302


def test_revoking_asks_for_a_fresh_code_first(verified_client, programme_admin, issue):
    credential = issue()
    client = verified_client(programme_admin)
    response = client.post(f"/programme/badges/{credential.id}/revoke/", {"reason": "Asked", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/confirm/")
    assert not Credential.objects.get(pk=credential.pk).is_revoked


def test_revoking_needs_a_reason_and_confirmation(verified_client, programme_admin, issue):
    credential = issue()
    client = verified_client(programme_admin)
    grant_sudo(client)
    response = client.post(f"/programme/badges/{credential.id}/revoke/", {"reason": ""})
    text = response.content.decode()
    assert "Enter the reason for revoking this badge" in text
    assert "Confirm that you understand" in text
    assert not Credential.objects.get(pk=credential.pk).is_revoked


def test_programme_admin_revokes_a_badge(verified_client, programme_admin, issue):
    credential = issue()
    client = verified_client(programme_admin)
    grant_sudo(client)
    assert client.get(f"/programme/badges/{credential.id}/revoke/").status_code == 200
    response = client.post(
        f"/programme/badges/{credential.id}/revoke/", {"reason": "Participant asked", "confirm": "on"}, follow=True
    )
    assert "has been revoked" in response.content.decode()
    credential.refresh_from_db()
    assert credential.is_revoked and credential.revoked_by == programme_admin
    assert AuditEntry.objects.filter(action="saferwork.badge.revoked", target_id=str(credential.id)).exists()
    assert "Revoked on" in client.get(f"/badges/{credential.id}/").content.decode()
    revoked_only = client.get("/programme/badges/?status=revoked").content.decode()
    assert "Participant asked" in revoked_only
