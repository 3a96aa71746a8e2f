"""Open Badges 3.0: a certificate downloads as an OpenBadgeCredential signed with the portal's
Ed25519 key (a VC-JWT) that any verifier checks against the published key set; one changed byte
is refused; rotating the key keeps earlier credentials valid; a revoked certificate's credential
verifies as revoked; the public API answers the same in JSON, throttled."""

import base64
import json

import jwt
import pytest
from django.test import override_settings
from django.urls import reverse

from cluster_portal.core.actors import SYSTEM
from cluster_portal.core.exceptions import NotAllowed
from talent.api.certificates import CertificateVerifyThrottle
from talent.credentials import InvalidCredential, credential_sign, credential_verify
from talent.models import Certificate, CredentialSigningKey
from talent.services import certificate_revoke, credential_signing_key_rotate
from tests.factories import UserFactory
from tests.talent.factories import CourseFactory, CourseSkillFactory, SkillFactory, in_days
from tests.talent.past_runs import certificate_for, past_run

pytestmark = pytest.mark.django_db
JWKS = "/.well-known/jwks.json"
VERIFY = "/api/v1/certificates/verify/"


def download(client, certificate) -> str:
    client.force_login(certificate.person)
    response = client.get(reverse("talent:certificate_credential",
                                  kwargs={"serial": certificate.serial}))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'certificate-{certificate.serial}.jwt"')
    return response.content.decode()


def verify_with_published_keys(client, token: str) -> dict:
    """As an outside verifier would: the key named in the header, from the portal's JWKS."""
    keys = client.get(JWKS).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    [key] = [jwt.PyJWK(key) for key in keys if key["kid"] == kid]
    return jwt.decode(token, key.key, algorithms=["EdDSA"], issuer="http://127.0.0.1:8000/",
                      options={"verify_exp": False})


def changed_one_byte(token: str) -> str:
    """The same credential with one character of its payload changed (a name, a date)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] += "!"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_the_credential_is_an_open_badge_that_verifies_with_the_published_key_set(client):
    course = CourseFactory(code="CM-101", title="Flow chemistry basics",
                           certificate_valid_months=12)
    CourseSkillFactory(course=course, skill=SkillFactory(code="flow", name="Flow chemistry"),
                       level=3)
    certificate = certificate_for(UserFactory(full_name="Tan Mei Ling",
                                              email="mei.ling@example.org"),
                                  run=past_run(sessions=2, course=course))
    token = download(client, certificate)

    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    claims = verify_with_published_keys(client, token)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in claims["@context"]
    assert claims["iss"] == claims["issuer"]["id"] == "http://127.0.0.1:8000/"
    assert claims["jti"] == claims["id"]
    assert claims["id"].endswith(f"/courses/certificates/{certificate.serial}/")
    assert claims["exp"] > claims["nbf"] and "validUntil" in claims
    achievement = claims["credentialSubject"]["achievement"]
    assert (achievement["achievementType"], achievement["humanCode"]) == ("Course", "CM-101")
    assert achievement["criteria"]["narrative"].startswith("Attend at least 75% of the sessions")
    [skill] = achievement["alignment"]
    assert (skill["targetName"], skill["targetCode"]) == ("Flow chemistry", "flow")
    assert skill["targetDescription"] == "Level 3 · Practitioner"
    identities = claims["credentialSubject"]["identifier"]
    assert {"identityType": "name", "identityHash": "Tan Mei Ling"}.items() <= identities[1].items()
    assert "mei.ling" not in token and "mei.ling" not in json.dumps(claims)
    check = credential_verify(token)
    assert check.certificate == certificate and check.public.standing == "valid"


def test_a_credential_with_one_byte_changed_is_refused(client):
    token = download(client, certificate_for())
    forged = changed_one_byte(token)
    with pytest.raises(jwt.InvalidSignatureError):
        verify_with_published_keys(client, forged)
    with pytest.raises(InvalidCredential, match="changed after the portal signed it"):
        credential_verify(forged)
    # A byte of the signature itself.
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    with pytest.raises(InvalidCredential):
        credential_verify(tampered)

    page = client.post(reverse("talent:credential_check"), {"credential": forged})
    assert page.status_code == 400
    assert "Not verified." in page.content.decode()
    answer = client.post(VERIFY, {"credential": forged}, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_credential"


def test_what_is_not_a_credential_of_this_portal_is_refused_in_words():
    with pytest.raises(InvalidCredential, match="not an Open Badges credential"):
        credential_verify("not a jwt")
    foreign = jwt.encode({"iss": "https://elsewhere.example"}, "a-shared-secret-of-32-bytes-long!",
                         algorithm="HS256")
    with pytest.raises(InvalidCredential, match="not signed as the portal signs"):
        credential_verify(foreign)


def test_rotating_the_key_keeps_earlier_credentials_valid(client):
    certificate = certificate_for()
    old_token = download(client, certificate)
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    new_key = credential_signing_key_rotate(actor=SYSTEM, reason="Yearly rotation.")
    new_token = download(client, certificate)

    assert jwt.get_unverified_header(new_token)["kid"] == new_key.kid != old_kid
    assert {key["kid"] for key in client.get(JWKS).json()["keys"]} == {old_kid, new_key.kid}
    assert CredentialSigningKey.objects.filter(is_active=True).get() == new_key
    for token in (old_token, new_token):
        verify_with_published_keys(client, token)
        assert credential_verify(token).certificate == certificate


def test_only_programme_admins_rotate(mfa_staff_user, mfa_admin_user):
    with pytest.raises(NotAllowed):
        credential_signing_key_rotate(actor=mfa_staff_user)
    assert credential_signing_key_rotate(actor=mfa_admin_user).is_active


def test_a_key_that_no_longer_decrypts_is_replaced_and_what_it_signed_still_verifies(client):
    certificate = certificate_for()
    old_token = download(client, certificate)
    with override_settings(SECRET_KEY="a-new-secret-without-the-old-one-as-fallback-0123456789"):
        new_token = download(client, certificate)
        assert CredentialSigningKey.objects.count() == 2
        assert credential_verify(old_token).certificate == certificate
        assert credential_verify(new_token).certificate == certificate


def test_a_revoked_certificates_credential_verifies_as_revoked(client, mfa_staff_user):
    certificate = certificate_for()
    token = download(client, certificate)
    certificate_revoke(actor=mfa_staff_user, certificate=certificate, reason="Issued in error.")

    assert credential_verify(token).public.standing == "revoked"
    page = client.post(reverse("talent:credential_check"), {"credential": token})
    assert page.status_code == 200 and "Revoked." in page.content.decode()
    answer = client.post(VERIFY, {"credential": token}, content_type="application/json").json()
    assert (answer["status"], answer["valid"]) == ("revoked", False)
    by_serial = client.get(f"{VERIFY}{certificate.serial}/").json()
    assert by_serial["status"] == "revoked" and by_serial["revoked_on"]
    # The holder can no longer download a freshly signed copy.
    client.force_login(certificate.person)
    assert client.get(reverse("talent:certificate_credential",
                              kwargs={"serial": certificate.serial})).status_code == 403


def test_an_expired_certificate_verifies_as_expired(client):
    certificate = certificate_for(certificate_valid_months=12)
    token = download(client, certificate)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=in_days(-1))
    answer = client.post(VERIFY, {"credential": token}, content_type="application/json").json()
    assert (answer["status"], answer["valid"]) == ("expired", False)


def test_the_api_answers_by_serial_and_an_unknown_serial_is_a_plain_404(client):
    certificate = certificate_for(UserFactory(full_name="Lim Wei Jie"))
    answer = client.get(f"{VERIFY}{certificate.serial}/")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["serial"], body["status"], body["valid"], body["holder"], body["kind"]) == (
        certificate.serial, "valid", True, "Lim Wei Jie", "course")
    assert "email" not in json.dumps(body) and certificate.person.email not in json.dumps(body)
    assert body["verification_url"].endswith(f"/courses/certificates/{certificate.serial}/")

    last = "A" if certificate.serial[-1] != "A" else "B"
    near = client.get(f"{VERIFY}{certificate.serial[:-1]}{last}/")
    missing = client.get(f"{VERIFY}NOSUCHSERIAL/")
    assert near.status_code == missing.status_code == 404
    assert near.json() == missing.json() == {"code": "not_found", "fields": {},
                                             "message": "No certificate has this serial number."}


def test_verification_is_throttled_per_address(client, monkeypatch):
    monkeypatch.setattr(CertificateVerifyThrottle, "rate", "3/minute", raising=False)
    answers = [client.get(f"{VERIFY}NOSUCHSERIAL/").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_the_key_set_is_public_and_names_no_private_half(client):
    certificate_for()
    credential_sign(Certificate.objects.get())
    answer = client.get(JWKS)
    assert answer.status_code == 200 and answer["Access-Control-Allow-Origin"] == "*"
    [key] = answer.json()["keys"]
    assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
