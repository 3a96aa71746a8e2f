"""The account's own notices: changes to how a person signs in. They are security notices, so
they are always e-mailed at once, to the address concerned; no preference turns them off."""

from cluster_portal.notifications.kinds import NotificationKind

GROUP = "Your account"


def _security(key: str, label: str) -> NotificationKind:
    return NotificationKind(
        key=key, label=label, group=GROUP, locked=True,
        reason="it is a security notice about your account, which is always sent",
        app="accounts",
    )


PASSWORD_CHANGED = _security("password_changed", "Your password was changed, set or reset")
EMAIL_ADDRESS_CHANGED = _security("email_address_changed",
                                  "An e-mail address of your account was changed")
SECOND_FACTOR_CHANGED = _security("second_factor_changed",
                                  "Your two-factor authentication was changed")
ACCOUNT_CHANGED = _security("account_changed", "Another change to how you sign in")

ALL = (PASSWORD_CHANGED, EMAIL_ADDRESS_CHANGED, SECOND_FACTOR_CHANGED, ACCOUNT_CHANGED)
