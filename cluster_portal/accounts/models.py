"""The portal's person: signs in with an e-mail address and carries a full name, and, if they
say, a job title and a phone number."""

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from cluster_portal.core.validators import validate_single_line

from .validators import (
    JOB_TITLE_MAX_LENGTH,
    PHONE_HELP,
    PHONE_MAX_LENGTH,
    validate_phone_number,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, validators=[validate_single_line])
    # What the person says of themselves on their profile; both optional.
    job_title = models.CharField(max_length=JOB_TITLE_MAX_LENGTH, blank=True,
                                 validators=[validate_single_line])
    phone = models.CharField("phone number", max_length=PHONE_MAX_LENGTH, blank=True,
                             validators=[validate_phone_number], help_text=PHONE_HELP)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the admin site (set for programme admins)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            # E-mail addresses are compared without case, so two accounts can't differ only by it.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


def api_token_digest(key: str) -> str:
    # The key holds 32 random bytes: a plain digest is as strong as a slow password hash here.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A person's own key to the API: named, expiring, revocable, and kept only as a digest.
    The key is shown once, when it is made. A token made without staff rights acts as its
    person without their programme roles, so a key for a script cannot approve anything."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, validators=[validate_single_line])
    # The key's first characters, shown so a person can tell their keys apart.
    prefix = models.CharField(max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    with_staff_rights = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable_at(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now
