"""What each recorded action means, in words a programme officer reads in a history. Each app
registers its own phrases (in its `AppConfig.ready()`), so the platform imports none of them."""

_PHRASES: dict[str, str] = {}


def register(phrases: dict[str, str]) -> None:
    _PHRASES.update(phrases)


def describe(action: str) -> str:
    if action in _PHRASES:
        return _PHRASES[action]
    return action.replace("_", " ").replace(".", ": ")  # readable, if not yet worded


register({
    "admin.add": "added it in the administration",
    "admin.change": "changed it in the administration",
    "admin.delete": "deleted it in the administration",
})
