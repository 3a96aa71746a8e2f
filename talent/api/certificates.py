"""Public verification of certificates, for an employer's or a wallet's software: by serial
number, or by the Open Badges credential itself. Anyone may ask (the same as the public
verification page answers), at most API_CERTIFICATE_VERIFY_RATE times a minute from one
address; an unknown serial is a 404 that says no more than that."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cluster_portal.core.api.openapi import error_example, with_errors
from cluster_portal.core.api.throttling import WindowRateThrottle
from cluster_portal.core.exceptions import NotFound

from ..certificate_selectors import (
    VALID,
    PublicCertificate,
    certificate_get_public,
    certificate_public,
)
from ..credentials import credential_verify
from ..services.certificates import verification_url

NO_SUCH_CERTIFICATE = "No certificate has this serial number."


class CertificateVerifyThrottle(WindowRateThrottle):
    """Per address, signed in or not: a serial is 60 random bits, and this keeps anyone from
    trying them in bulk."""

    scope = "certificate_verify"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CertifiedSkillSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField(min_value=1, max_value=6)
    level_label = serializers.CharField()


class CertificateVerificationSerializer(serializers.Serializer):
    """What anyone may learn of a certificate: whether it is valid now, the holder's name and
    what they earned. Never their e-mail address or anything else about them."""

    serial = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "expired"],
                                     source="standing")
    valid = serializers.SerializerMethodField()
    holder = serializers.CharField()
    kind = serializers.SerializerMethodField()
    title = serializers.CharField()
    course_code = serializers.CharField(allow_blank=True)
    courses = serializers.ListField(child=serializers.CharField(),
                                    help_text="The courses of a learning path.")
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    hours = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False)
    skills = CertifiedSkillSerializer(many=True)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True)
    revoked_on = serializers.DateField(allow_null=True)
    verification_url = serializers.SerializerMethodField()

    def get_valid(self, facts: PublicCertificate) -> bool:
        return facts.standing == VALID

    def get_kind(self, facts: PublicCertificate) -> str:
        return "learning_path" if facts.is_path else "course"

    def get_verification_url(self, facts: PublicCertificate) -> str:
        return self.context["verification_url"]


class CredentialVerificationSerializer(CertificateVerificationSerializer):
    signing_key = serializers.SerializerMethodField(
        help_text="The id (kid) of the published key that signed the credential.")

    def get_signing_key(self, facts: PublicCertificate) -> str:
        return self.context["signing_key"]


class CredentialInputSerializer(serializers.Serializer):
    credential = serializers.CharField(
        max_length=20_000, help_text="The Open Badges 3.0 credential as a VC-JWT (the text of "
                                     "the .jwt file the portal gives its holder).")


EXAMPLE = OpenApiExample("A valid certificate", response_only=True, value={
    "serial": "MFRGGZDFMZTW", "status": "valid", "valid": True, "holder": "Tan Mei Ling",
    "kind": "course", "title": "Continuous manufacturing fundamentals", "course_code": "CM-101",
    "courses": [], "starts_on": "2026-03-02", "ends_on": "2026-03-03", "hours": 14.0,
    "skills": [{"code": "continuous-processing", "name": "Continuous processing", "level": 2,
                "level_label": "2 · Foundation"}],
    "issued_on": "2026-03-04", "expires_on": None, "revoked_on": None,
    "verification_url": "https://portal.example.org/courses/certificates/MFRGGZDFMZTW/"})
TAMPERED = error_example(
    "An altered credential", code="invalid_credential",
    message="The credential's signature does not match its content: it was changed after the "
            "portal signed it. Ask its holder for the file the portal gave them.",
    fields={"credential": ["The signature does not match."]})
UNKNOWN = error_example("No such certificate", code="not_found", message=NO_SUCH_CERTIFICATE)


class CredentialVerifyView(APIView):
    """Verify an Open Badges credential: its signature against the portal's published keys,
    its issuer, and where its certificate stands now (valid, revoked or expired). A credential
    that was altered, or that the portal did not sign, is refused (400, invalid_credential)."""

    permission_classes = [AllowAny]
    throttle_classes = [CertificateVerifyThrottle]

    @extend_schema(summary="Verify an Open Badges credential",
                   request=CredentialInputSerializer,
                   responses=with_errors({200: CredentialVerificationSerializer}, 400,
                                         examples={400: [TAMPERED]}),
                   examples=[EXAMPLE])
    def post(self, request):
        given = CredentialInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        check = credential_verify(given.validated_data["credential"])
        return Response(CredentialVerificationSerializer(check.public, context={
            "verification_url": verification_url(check.certificate),
            "signing_key": check.kid}).data)


class CertificateVerifyView(APIView):
    """Where a certificate stands, by its serial number (printed on it, and in its QR code)."""

    permission_classes = [AllowAny]
    throttle_classes = [CertificateVerifyThrottle]

    @extend_schema(summary="Verify a certificate by its serial number",
                   responses=with_errors({200: CertificateVerificationSerializer}, 404,
                                         examples={404: [UNKNOWN]}),
                   examples=[EXAMPLE])
    def get(self, request, serial: str):
        certificate = certificate_get_public(serial=serial)
        if certificate is None:
            raise NotFound(NO_SUCH_CERTIFICATE)
        return Response(CertificateVerificationSerializer(
            certificate_public(certificate),
            context={"verification_url": verification_url(certificate)}).data)
