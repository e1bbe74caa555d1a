"""Walking list endpoints that take ``limit`` and ``offset``."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One page of a list endpoint; ``total_count`` when sipgate reports it."""

    items: list[T]
    total_count: int | None = None


async def iterate_pages[T](
    fetch: Callable[[int, int], Awaitable[Page[T]]], *, page_size: int = 100, limit: int | None = None
) -> AsyncIterator[T]:
    """Yield every item of every page, ``page_size`` at a time, up to ``limit`` items.

    ``fetch(offset, limit)`` returns one page. Walking stops at a short or
    empty page, at ``total_count``, or when ``limit`` items were yielded.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    offset = 0
    yielded = 0
    while True:
        size = page_size if limit is None else min(page_size, limit - yielded)
        if size <= 0:
            return
        page = await fetch(offset, size)
        for item in page.items:
            yield item
        yielded += len(page.items)
        offset += len(page.items)
        if len(page.items) < size or (page.total_count is not None and offset >= page.total_count):
            return
