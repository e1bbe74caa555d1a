"""The call registry's bounds and rules, on its own (the webhook tests drive it through HTTP)."""

from unittest.mock import patch

from custom_components.sipgate import calls as calls_module
from custom_components.sipgate.calls import RETENTION, TALKING_STALE, CallRegistry, CallState
from homeassistant.core import Context


class Clock:
    """A clock the test moves on."""

    def __init__(self) -> None:
        """Start at 1000 s."""
        self.now = 1000.0

    def __call__(self) -> float:
        """The time now."""
        return self.now


def test_records_beyond_the_bound_go_least_recently_active_first() -> None:
    """A flood of call ids never grows the registry past its bound; recently active calls stay."""
    clock = Clock()
    registry = CallRegistry(clock=clock)
    with patch.object(calls_module, "MAX_RECORDS", 3):
        for call_id in ("A", "B", "C"):
            registry.record(call_id)
            clock.now += 1
        registry.record("A")  # A is active again
        registry.record("D")
    assert len(registry) == 3
    assert registry.get("B") is None
    assert all(registry.get(call_id) is not None for call_id in ("A", "C", "D"))


def test_contexts_are_bounded_and_belong_to_one_call() -> None:
    """A context moves to the call it is linked to last; the oldest contexts go beyond the bound."""
    registry = CallRegistry(clock=Clock())
    first, second = registry.record("A"), registry.record("B")
    registry.link_context(first, "ctx")
    registry.link_context(second, "ctx")
    assert registry.for_context(Context(id="ctx")) is second
    assert first.contexts == set()
    assert registry.for_context(Context(id="child", parent_id="ctx")) is second
    assert registry.for_context(None) is None

    with patch.object(calls_module, "MAX_CONTEXTS", 2):
        registry.link_context(first, "one")
        registry.link_context(first, "two")
    assert registry.context_count == 2
    assert registry.for_context(Context(id="ctx")) is None
    assert second.contexts == set()


def test_an_ended_call_stays_ended() -> None:
    """After the end no push changes the state, and ending twice reports nothing new."""
    registry = CallRegistry(clock=Clock())
    record = registry.record("A")
    assert registry.set_state(record, CallState.RINGING)
    assert registry.end(record)
    assert not registry.end(record)
    assert not registry.set_state(record, CallState.TALKING)
    assert registry.state is CallState.IDLE
    assert registry.calls == []


def test_stale_calls_end_and_old_records_go() -> None:
    """A talking call nobody hears of for 12 h ends; a day later its record is gone."""
    clock = Clock()
    registry = CallRegistry(clock=clock)
    talking = registry.record("T")
    registry.set_state(talking, CallState.TALKING)
    clock.now += TALKING_STALE - 1
    assert registry.expire() == []
    clock.now += 2
    assert registry.expire() == [talking]
    assert talking.ended_without_hangup == "stale"
    clock.now += RETENTION
    registry.expire()
    assert len(registry) == 0


def test_the_latest_call_gives_the_state() -> None:
    """With two calls the one that changed last decides the state."""
    registry = CallRegistry(clock=Clock())
    first, second = registry.record("A"), registry.record("B")
    registry.set_state(first, CallState.TALKING)
    registry.set_state(second, CallState.RINGING)
    assert (registry.state, registry.talking) == (CallState.RINGING, True)
    registry.end(second)
    assert registry.latest is first
    assert registry.listed(["A"]) == []
    assert registry.listed([]) == []
    assert registry.listed([]) == [first]
