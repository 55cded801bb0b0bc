"""Login throttling: per user name and per client address, a growing lockout after repeated failures.

Every attempt is counted when it starts (not when its answer comes back), so a burst of parallel wrong
passwords is cut off after `max_failures` just as a sequential one is; a success clears both counters.
Lockouts double with each further failure up to `max_lockout_s`. Pure bookkeeping, clock passed in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Entry:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


@dataclass
class LoginThrottle:
    max_failures: int = 5
    lockout_s: float = 30.0
    max_lockout_s: float = 900.0
    max_entries: int = 10_000
    _entries: dict[str, _Entry] = field(default_factory=dict)

    @staticmethod
    def keys(user: str, address: str) -> tuple[str, str]:
        return f"user:{user.strip().casefold()}", f"addr:{address}"

    def wait(self, user: str, address: str, now: float) -> float:
        """Seconds until `user` from `address` may try again (0 = may try now)."""
        return max((e.locked_until - now for k in self.keys(user, address) if (e := self._entries.get(k))),
                   default=0.0) if self._entries else 0.0

    def begin(self, user: str, address: str, now: float) -> float:
        """Start an attempt: 0 when it may be checked (and it is counted as a failure until `succeeded`),
        else the seconds left of the lockout (the password is then not checked at all)."""
        left = self.wait(user, address, now)
        if left > 0:
            return left
        self._prune(now)
        for key in self.keys(user, address):
            e = self._entries.setdefault(key, _Entry())
            e.failures += 1
            e.last = now
            if e.failures >= self.max_failures:
                e.locked_until = now + self.lockout_for(e.failures)
        return 0.0

    def succeeded(self, user: str, address: str) -> None:
        for key in self.keys(user, address):
            self._entries.pop(key, None)

    def lockout_for(self, failures: int) -> float:
        """Lockout after the `failures`-th failure in a row: lockout_s, doubling, capped at max_lockout_s."""
        if failures < self.max_failures:
            return 0.0
        return float(min(self.max_lockout_s, self.lockout_s * 2 ** min(30, failures - self.max_failures)))

    def _prune(self, now: float) -> None:
        """Forget entries idle for longer than the longest lockout (bounded memory under a flood of names)."""
        room = self.max_entries - 2  # an attempt adds up to two entries (its user and its address)
        if len(self._entries) <= room:
            return
        stale = [k for k, e in self._entries.items() if now - e.last > self.max_lockout_s and e.locked_until <= now]
        for k in stale:
            del self._entries[k]
        while len(self._entries) > room:  # all recent: drop the oldest
            del self._entries[min(self._entries, key=lambda k: self._entries[k].last)]
