"""How the accounts' recorded actions read in a history."""

PHRASES = {
    "user.grant_role": "granted a programme role",
    "user.revoke_role": "removed a programme role",
    "user.update_profile": "changed the profile",
    "mfa.reset": "reset the two-factor authentication",
    "mfa.totp_activated": "set up an authenticator app",
    "mfa.totp_deactivated": "removed the authenticator app",
    "mfa.recovery_codes_generated": "made new recovery codes",
    "account.password_changed": "changed the password",
    "account.password_set": "set a password",
    "account.password_reset": "reset the password",
    "account.email_changed": "changed the primary e-mail address",
    "account.email_deleted": "removed an e-mail address",
    "api_token.create": "made an API token",
    "api_token.revoke": "revoked an API token",
    "notification_preferences.set": "changed the notification settings",
}
