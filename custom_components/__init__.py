"""Custom integrations of this repository (lets tests import custom_components.sipgate)."""
