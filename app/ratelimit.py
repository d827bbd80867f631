"""The rate limiter's in-process storage, without a thread per burst.

limits' `memory://` storage clears expired counters from a `threading.Timer`
that lives 10 ms and is started again by the next hit: under a steady load a
worker starts about a hundred threads a second, and each start waits for the
GIL to change hands. On the busiest route (the public form's POST) that cost
more than the rest of the limiter. Expired counters are already ignored when
read (`MemoryStorage.get`), so the sweep only frees memory: here it runs inline,
at most once every `SWEEP_INTERVAL_S`, from the request that notices it is due.

Selected with `RAKOR_RATELIMIT_STORAGE_URI=rakor-memory://` (the default). With
several gunicorn workers each keeps its own counts, so a client may get up to
that many times its limit; a shared `redis://` storage counts exactly
(docs/DEPLOY.md).
"""

import threading
import time
from typing import ClassVar

from limits.storage import MemoryStorage

SWEEP_INTERVAL_S = 10.0

# The hook overridden below; if a limits upgrade renames it, fail at start, not silently.
assert hasattr(MemoryStorage, "_MemoryStorage__schedule_expiry"), "limits changed MemoryStorage"


class SweepingMemoryStorage(MemoryStorage):
    STORAGE_SCHEME: ClassVar[list[str]] = ["rakor-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_S
        self._sweep_lock = threading.Lock()

    # MemoryStorage calls this (name-mangled) before every hit.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_INTERVAL_S
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()


def drop_idle_request_hook(app, limiter) -> bool:
    """Remove the limiter's before-request check when it has nothing to check.

    That hook evaluates application, default, meta and blueprint limits; a route's
    own limit (`@limiter.limit`) is checked by its decorator as the view is called.
    Rakor sets only route limits, so on every request the hook resolved an empty
    list, at a cost of about a twentieth of a public submission. It stays whenever
    any of those limits is configured. Call after the blueprints are registered.
    """
    manager = limiter.limit_manager
    if (
        manager.application_limits
        or manager.default_limits
        or app.config.get("RATELIMIT_META")
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
    ):
        return False
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit not in hooks:  # another app already took it off
        return False
    hooks.remove(limiter._check_request_limit)
    return True
