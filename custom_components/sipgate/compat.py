"""Differences between the supported Home Assistant versions, in one place.

Home Assistant 2026.10 replaced voluptuous with probatio and aliases
``voluptuous`` to it at start-up; its type hints name probatio. Older
versions (down to 2026.3) ship voluptuous itself. Schemas are therefore
written against ``vol`` from here: the real module at run time, probatio's
types for the type checker (which runs on the newest pin).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import probatio as vol
else:
    import voluptuous as vol

__all__ = ["vol"]
