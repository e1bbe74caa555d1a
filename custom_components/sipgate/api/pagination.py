"""Walking list endpoints that take ``limit`` and ``offset``."""

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Final

# No list of an account has more pages than this; walking stops there whatever sipgate says.
MAX_PAGES: Final = 200


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One page of a list endpoint; ``total_count`` when sipgate reports it."""

    items: list[T]
    total_count: int | None = None


async def iterate_pages[T](
    fetch: Callable[[int, int], Awaitable[Page[T]]],
    *,
    page_size: int = 100,
    limit: int | None = None,
    key: Callable[[T], Hashable] = repr,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[T]:
    """Yield every item of every page, ``page_size`` at a time, up to ``limit`` items.

    ``fetch(offset, limit)`` returns one page. Walking stops at a short or
    empty page, at ``total_count``, when ``limit`` items were yielded, on a
    page without an item not seen before (sipgate ignoring ``offset``) and
    after ``max_pages`` pages. ``key`` tells items apart (their id); an item
    seen before is not yielded again.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    offset = 0
    yielded = 0
    seen: set[Hashable] = set()
    for _ in range(max_pages):
        size = page_size if limit is None else min(page_size, limit - yielded)
        if size <= 0:
            return
        page = await fetch(offset, size)
        new = 0
        for item in page.items:
            identity = key(item)
            if identity in seen:
                continue
            seen.add(identity)
            new += 1
            yield item
        yielded += new
        offset += len(page.items)
        if (
            new == 0
            or len(page.items) < size
            or (page.total_count is not None and offset >= page.total_count)
        ):
            return
