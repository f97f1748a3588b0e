"""The app's shared cache (flask-caching: Redis when ``PANTAU_REDIS_URL`` is set, else in-process), one way in.

Reached through the running Flask app, so that nothing here or in its callers imports app.py (which builds it).
``kept`` adds each worker's own memory in front of it, for values whose key names their whole content (a
boundary stamp, a data version) or which may reach the worker a few seconds late: the shared cache hands every
caller its own unpickled copy, which for the boundaries was most of a wall tick's CPU (py-spy under
``make load``: 39 % of a worker's samples), and a tick read it about a dozen times.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from flask import current_app, has_app_context

T = TypeVar("T")
KEPT_PER_WORKER = 32  # two wall levels × a handful of areas, the area codes, the leaders' map areas
# A data version's figures for the wall (changes, counts, panels) of a few scopes and levels, over the ten or
# so versions the screens in a room last saw.
KEPT_SMALL_PER_WORKER = 512


def app_cache() -> Any | None:
    """The cache backend (``get``/``set``/``delete``), or None outside a running app (a CLI command, a test)."""
    if not has_app_context():
        return None
    return next(iter(current_app.extensions.get("cache", {}).values()), None)


# A worker computing a missing answer says so in the shared cache for at most this long (it may die on the way);
# the others wait for its answer at most WAIT_FOR_OTHER_S (the statement limit's order), then compute it too.
COMPUTING_MARK_S = 30
WAIT_FOR_OTHER_S = 15.0
_POLL_S = (0.002, 0.005, 0.01, 0.02)


def cached(key: str, timeout: int, compute: Callable[[], T]) -> T:
    """``compute()``, kept ``timeout`` seconds in the shared cache under ``key`` (computed each time outside an app).

    One thread of one worker computes a missing answer while the others asking for the same key wait for it:
    when the data version moves, every screen's next tick asks for the same new figures at once. Within a
    worker a lock says who computes (under ``make load`` at 1M most of a worker's threads were waiting on the
    same area counts); between workers a mark added to the shared cache (``add``: set only if absent, atomic
    in Redis) does, and the others read the answer it leaves (each of the 5 workers was computing it).
    """
    store = app_cache()
    if store is None:
        return compute()
    value = store.get(key)
    if value is not None:
        return value  # type: ignore[no-any-return]
    with _computing(key):
        return _computed_once(store, key, timeout, compute)


def _computed_once(store: Any, key: str, timeout: int, compute: Callable[[], T]) -> T:
    """The answer under ``key``: computed here when no other worker has marked it as theirs, else theirs once
    it is there. A worker that fails removes its mark (the next one tries); one that dies leaves it to expire."""
    mark = f"computing:{key}"
    deadline = time.monotonic() + WAIT_FOR_OTHER_S
    for attempt in itertools.count():
        value = store.get(key)
        if value is not None:
            return value  # type: ignore[no-any-return]
        if store.add(mark, 1, timeout=COMPUTING_MARK_S):
            try:
                value = compute()
                store.set(key, value, timeout=timeout)
                return value  # type: ignore[no-any-return]
            finally:
                store.delete(mark)
        if time.monotonic() > deadline:
            break
        time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
    value = compute()  # the other worker is taking too long: wait no more
    store.set(key, value, timeout=timeout)
    return value  # type: ignore[no-any-return]


_flights: dict[str, tuple[Lock, int]] = {}
_flights_lock = Lock()


@contextmanager
def _computing(key: str) -> Iterator[None]:
    """Hold the worker's lock for ``key`` (made on first use, dropped when nobody waits for it any more)."""
    with _flights_lock:
        lock, waiting = _flights.get(key, (Lock(), 0))
        _flights[key] = (lock, waiting + 1)
    try:
        with lock:
            yield
    finally:
        with _flights_lock:
            lock, waiting = _flights[key]
            if waiting == 1:
                del _flights[key]
            else:
                _flights[key] = (lock, waiting - 1)


class _WorkerMemory:
    """Values in this worker's memory: at most ``size`` of them (the least recently used leave first), none
    past the time it was given to keep it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return False, None
            if found[0] <= time.monotonic():
                del self._values[key]
                return False, None
            self._values.move_to_end(key)
            return True, found[1]

    def put(self, key: str, value: Any, seconds: float) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + seconds, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)


# Each shared cache has its worker memories, so that an app made anew (as tests do) starts with none.
_memories: WeakKeyDictionary[Any, tuple[_WorkerMemory, _WorkerMemory]] = WeakKeyDictionary()
_memories_lock = Lock()


def _memory(store: Any, small: bool) -> _WorkerMemory:
    with _memories_lock:
        memories = _memories.get(store)
        if memories is None:
            memories = _memories[store] = (_WorkerMemory(KEPT_PER_WORKER), _WorkerMemory(KEPT_SMALL_PER_WORKER))
    return memories[1 if small else 0]


def kept(key: str, timeout: int, compute: Callable[[], T], *, small: bool = False, for_s: float | None = None) -> T:
    """Like ``cached``, and also kept in this worker's memory, where it is shared between requests: callers must
    not change it.

    For a key that names its whole content (a boundary stamp, a data version), so that the value never goes
    stale; ``for_s`` keeps any other value in the worker at most that long, which is how much later than
    the shared cache the worker may see it change. ``small``: a value of a few kilobytes (one data version's
    figures), of which a worker keeps many more than of the large ones (the boundaries).
    """
    store = app_cache()
    if store is None:
        return compute()
    memory = _memory(store, small)
    found, value = memory.get(key)
    if found:
        return value  # type: ignore[no-any-return]
    value = cached(key, timeout, compute)
    memory.put(key, value, timeout if for_s is None else min(for_s, timeout))
    return value
