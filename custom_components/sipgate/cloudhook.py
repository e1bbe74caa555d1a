"""Nabu Casa cloudhooks, imported only when Home Assistant Cloud is loaded.

The cloud component is an optional ``after_dependency``: it (and its client
library) is not imported unless the user has it set up.
"""

from homeassistant.core import HomeAssistant


def cloud_subscribed(hass: HomeAssistant) -> bool:
    """Whether Home Assistant Cloud is loaded and has an active subscription."""
    if "cloud" not in hass.config.components:
        return False
    from homeassistant.components import cloud  # noqa: PLC0415 - optional component

    return cloud.async_active_subscription(hass)


def cloud_connected(hass: HomeAssistant) -> bool:
    """Whether Home Assistant Cloud is connected right now."""
    from homeassistant.components import cloud  # noqa: PLC0415 - optional component

    return cloud.async_is_connected(hass)


async def async_create_cloudhook(hass: HomeAssistant, webhook_id: str) -> str | None:
    """Create a cloudhook for ``webhook_id``; ``None`` if the cloud cannot right now."""
    from homeassistant.components import cloud  # noqa: PLC0415 - optional component

    try:
        return await cloud.async_create_cloudhook(hass, webhook_id)
    except cloud.CloudNotConnected, cloud.CloudNotAvailable:
        return None


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the cloudhook of ``webhook_id`` (nothing happens if there is none)."""
    if "cloud" not in hass.config.components:
        return
    from homeassistant.components import cloud  # noqa: PLC0415 - optional component

    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except cloud.CloudNotAvailable, ValueError:
        return
