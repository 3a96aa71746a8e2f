"""Models arrive with this app's own issue; the app exists so every layer has its home."""
