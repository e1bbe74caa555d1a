"""Where a call's time goes: py-spy's raw samples of Home Assistant, summed by area."""

from collections import Counter
import re
from typing import Any

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*)(?::(?P<line>\d+))?\)$")


SKIP = ("homeassistant/__main__.py", "homeassistant/runner.py")


def area(file: str, func: str) -> str:
    """The area a frame's code belongs to."""
    if file.endswith("asyncio/selector_events.py") and ("write" in func or "_read_ready" in func):
        return "socket I/O (loopback TCP send/receive in the kernel)"
    if file.endswith("selectors.py"):
        return "epoll (polling for I/O)"
    if file.endswith("recorder/core.py") and "_event_listener" in func:
        return "HA recorder: queueing each event (on the loop)"
    if "custom_components/sipgate/" in file:
        return "integration: " + file.split("custom_components/sipgate/", 1)[1]
    if "/cryptography/" in file:
        return "cryptography"
    if "homeassistant/components/recorder/" in file:
        return "HA recorder"
    if "homeassistant/components/automation/" in file or "homeassistant/helpers/script" in file:
        return "HA automations and scripts"
    if "homeassistant/components/http/" in file or "homeassistant/components/webhook/" in file:
        return "HA http and webhook"
    if "homeassistant/helpers/template" in file:
        return "HA templates"
    if "homeassistant/helpers/" in file or file.endswith("homeassistant/core.py"):
        return "HA core (event bus, state machine, entities)"
    if "homeassistant/" in file:
        return "HA other"
    for name in ("aiohttp", "yarl", "multidict", "propcache"):
        if f"/{name}/" in file:
            return "aiohttp web server"
    if "/sqlalchemy/" in file:
        return "SQLAlchemy"
    if "sqlite3" in file:
        return "sqlite"
    if "/asyncio/" in file or "selectors" in file:
        return "asyncio"
    if "/python3.14/" in file:
        return "Python standard library"
    return "other"


def _parse(text: str) -> list[tuple[str, list[tuple[str, str]], int]]:
    """py-spy's raw lines: ``thread (TID): NAME;func (file:line);... COUNT``."""
    samples = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        head, _, rest = stack.partition(";")
        name = head.split("): ", 1)[1] if "): " in head else head
        frames = []
        for part in rest.split(";"):
            if match := FRAME.match(part.strip()):
                frames.append((match["func"], match["file"]))
            else:
                frames.append((part.strip(), ""))
        samples.append((name, frames, int(count)))
    return samples


def _thread(name: str, frames: list[tuple[str, str]]) -> str:
    """Which thread a sample is from: by name, else (py-spy does not always know it) by its code."""
    if name in ("MainThread", "Recorder"):
        return "loop" if name == "MainThread" else "recorder"
    files = " ".join(file for _, file in frames[:6])
    if "recorder/core.py" in files:
        return "recorder"
    if "homeassistant/__main__.py" in files:
        return "loop"
    return "other"


def _interesting(path: str) -> bool:
    """Code whose inclusive share tells where a push's time goes (not the web server's wrappers)."""
    if "custom_components/sipgate/" in path:
        return True
    if "homeassistant/" not in path or path.endswith(SKIP):
        return False
    return "components/http/" not in path and not path.endswith("helpers/http.py")


def breakdown(text: str, top: int = 12) -> dict[str, Any]:
    """Shares of samples: per thread, by the area of the innermost frame, and key functions inclusive."""
    threads: Counter[str] = Counter()
    leaf: dict[str, Counter[str]] = {"loop": Counter(), "recorder": Counter(), "other": Counter()}
    inclusive: Counter[str] = Counter()
    for name, frames, count in _parse(text):
        code = [(func, file) for func, file in frames if file]
        if not code:
            continue
        thread = _thread(name, code)
        threads[thread] += count
        func, file = code[-1]
        leaf[thread][area(file, func)] += count
        if thread == "loop":
            seen = set()
            for f, path in code:
                if _interesting(path):
                    short = (
                        path.split("site-packages/")[-1]
                        .split("custom_components/")[-1]
                        .removeprefix("homeassistant/")
                    )
                    key = f"{short}:{f}"
                    if key not in seen:
                        seen.add(key)
                        inclusive[key] += count
    loop_total = threads["loop"] or 1
    recorder_total = threads["recorder"] or 1
    return {
        "samples": dict(threads),
        "loop_by_area_pct": {k: round(100 * v / loop_total, 1) for k, v in leaf["loop"].most_common(top)},
        "loop_inclusive_pct": {k: round(100 * v / loop_total, 1) for k, v in inclusive.most_common(top + 6)},
        "recorder_by_area_pct": {
            k: round(100 * v / recorder_total, 1) for k, v in leaf["recorder"].most_common(6)
        },
    }
