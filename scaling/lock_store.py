"""An atomic Redis lock store for several Rasa instances (``type: scaling.lock_store.AtomicRedisLockStore``).

Rasa 3.6 OSS's ``RedisLockStore`` reads the ticket lock of a conversation (``GET``), changes it in
Python and writes it back (``SET``). Two instances that take the lock of one conversation at the same
moment both read "no lock", both write a lock holding ticket 0 and both go ahead: the conversation is
then processed twice at once, and ``SQLTrackerStore`` loses the events of one of the two turns.

This store keeps Rasa's ticket-lock algorithm (tickets served in the order they were issued, each with
a lifetime) but does every read-modify-write in one Lua script, which Redis runs atomically:

- ``issue_ticket``: drop expired tickets, hand out the next number, store it with its expiry;
- ``_acquire_lock``: "is my ticket the lowest live one?" (or: has it expired?), polled;
- ``finish_serving``/``cleanup``: remove my ticket and delete the key when no ticket is left.

Expiry is measured on the Redis server's clock (``TIME``), so instances with skewed clocks agree.
While a message is being processed (or waits for its turn) its ticket is renewed every
``lock_lifetime / 3`` seconds, so ``lock_lifetime`` can be short: it only bounds how long the
conversations of a crashed instance stay blocked, not how long a turn may take.

A conversation's lock is one Redis hash ``<key_prefix>:ticketlock:<conversation id>`` with the field
``last`` (last issued number) and one field ``t:<number>`` per ticket holding its expiry (ms since
the epoch, server clock). The key itself expires with its last ticket.

Endpoint configuration (``endpoints.production.yml``)::

    lock_store:
      type: scaling.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: ${REDIS_DB}
      key_prefix: gemeente
      lock_lifetime: 15        # seconds; renewed while the instance lives
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_LOCK_LIFETIME_S = 15.0
DEFAULT_POLL_INTERVAL_S = 0.05
DEFAULT_SOCKET_TIMEOUT_S = 10.0

# Shared Lua prelude: the server's clock in ms and the pruning of expired tickets. ``live`` is the
# sorted list of ticket numbers that have not expired.
_PRELUDE = """
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function prune()
  local all = redis.call('HGETALL', key)
  local live = {}
  for i = 1, #all, 2 do
    local field = all[i]
    if string.sub(field, 1, 2) == 't:' then
      if tonumber(all[i + 1]) <= now then
        redis.call('HDEL', key, field)
      else
        table.insert(live, tonumber(string.sub(field, 3)))
      end
    end
  end
  table.sort(live)
  return live
end
local function extend(lifetime)
  local ttl = redis.call('PTTL', key)
  if ttl < lifetime then redis.call('PEXPIRE', key, lifetime) end
end
"""

#: ARGV: lifetime ms. Returns the new ticket number.
_ISSUE = _PRELUDE + """
local live = prune()
if #live == 0 then redis.call('HDEL', key, 'last') end
local number = redis.call('HINCRBY', key, 'last', 1)
redis.call('HSET', key, 't:' .. number, now + tonumber(ARGV[1]))
extend(tonumber(ARGV[1]))
return number
"""

#: ARGV: ticket number. Returns 1 (my turn), 0 (wait) or -1 (my ticket expired or the lock is gone).
_TRY_ACQUIRE = _PRELUDE + """
local live = prune()
local mine = tonumber(ARGV[1])
local found = false
for _, n in ipairs(live) do
  if n == mine then found = true end
end
if not found then return -1 end
if live[1] == mine then return 1 end
return 0
"""

#: ARGV: ticket number, lifetime ms. Returns 1 when the ticket was renewed, 0 when it is gone.
_RENEW = _PRELUDE + """
prune()
local field = 't:' .. ARGV[1]
if redis.call('HEXISTS', key, field) == 0 then return 0 end
redis.call('HSET', key, field, now + tonumber(ARGV[2]))
extend(tonumber(ARGV[2]))
return 1
"""

#: ARGV: ticket number. Removes the ticket, deletes the lock when none is left; returns live tickets.
_RELEASE = _PRELUDE + """
redis.call('HDEL', key, 't:' .. ARGV[1])
local live = prune()
if #live == 0 then redis.call('DEL', key) end
return #live
"""

#: Returns the number of live tickets (after dropping expired ones).
_PRUNE = _PRELUDE + """
local live = prune()
if #live == 0 then redis.call('DEL', key) end
return #live
"""

#: ARGV: last issued number, then pairs number, expiry ms (client clock, from ``TicketLock``).
_REPLACE = _PRELUDE + """
redis.call('DEL', key)
if #ARGV < 3 then return 0 end
redis.call('HSET', key, 'last', ARGV[1])
local latest = 0
for i = 2, #ARGV, 2 do
  redis.call('HSET', key, 't:' .. ARGV[i], ARGV[i + 1])
  if tonumber(ARGV[i + 1]) > latest then latest = tonumber(ARGV[i + 1]) end
end
if latest > now then redis.call('PEXPIRE', key, latest - now) else redis.call('DEL', key) end
return 1
"""


class AtomicRedisLockStore(LockStore):
    """Rasa's ticket lock in Redis with every change done atomically by a Lua script."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        redis_client: Any = None,
        host: str = "localhost",
        port: int = 6379,
        db: int = 1,
        username: str | None = None,
        password: str | None = None,
        use_ssl: bool = False,
        key_prefix: str | None = None,
        lock_lifetime: float = DEFAULT_LOCK_LIFETIME_S,
        poll_interval: float = DEFAULT_POLL_INTERVAL_S,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT_S,
    ) -> None:
        """Create the store (Rasa calls it with ``endpoint_config`` from ``endpoints.yml``).

        Args:
            endpoint_config: The ``lock_store`` block; its ``url`` is the Redis host, the other keys
                are the keyword arguments below.
            redis_client: A ready ``redis.Redis`` client (tests); otherwise one is created.
            host: Redis host.
            port: Redis port.
            db: Redis database number.
            username: Redis ACL user.
            password: Redis password.
            use_ssl: Connect with TLS.
            key_prefix: Alphanumeric prefix of every key (one per deployment).
            lock_lifetime: Seconds a ticket lives without renewal (bounds the wait after a crash).
            poll_interval: Seconds between two checks while waiting for the lock.
            socket_timeout: Seconds before a Redis call fails.
        """
        if endpoint_config is not None:
            kwargs = dict(endpoint_config.kwargs)
            host = endpoint_config.url or host
            port = kwargs.get("port") or port
            db = kwargs.get("db") or db
            username = kwargs.get("username") or username
            password = kwargs.get("password") or password
            use_ssl = str(kwargs.get("use_ssl", use_ssl)).lower() in ("1", "true", "yes")
            key_prefix = kwargs.get("key_prefix") or key_prefix
            lock_lifetime = float(kwargs.get("lock_lifetime") or lock_lifetime)
            poll_interval = float(kwargs.get("poll_interval") or poll_interval)
            socket_timeout = float(kwargs.get("socket_timeout") or socket_timeout)
        if redis_client is None:
            import redis

            redis_client = redis.Redis(
                host=host,
                port=int(port),
                db=int(db),
                username=username or None,
                password=password or None,
                ssl=use_ssl,
                socket_timeout=socket_timeout,
            )
        self.red = redis_client
        prefix = str(key_prefix) if key_prefix and str(key_prefix).isalnum() else "rasa"
        self.key_prefix = f"{prefix}:ticketlock:"
        self.lock_lifetime = lock_lifetime
        self.poll_interval = poll_interval
        self._issue = self.red.register_script(_ISSUE)
        self._try_acquire = self.red.register_script(_TRY_ACQUIRE)
        self._renew = self.red.register_script(_RENEW)
        self._release = self.red.register_script(_RELEASE)
        self._prune = self.red.register_script(_PRUNE)
        self._replace = self.red.register_script(_REPLACE)
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    @staticmethod
    def _ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    # ------------------------------------------------------------ the atomic operations
    def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
        """Issue the next ticket of ``conversation_id`` (creates the lock when there is none)."""
        lifetime = self.lock_lifetime if lock_lifetime is None else lock_lifetime
        try:
            return int(self._issue(keys=[self._key(conversation_id)], args=[self._ms(lifetime)]))
        except Exception as exc:  # noqa: BLE001 - Rasa expects LockError for any store failure
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def try_acquire(self, conversation_id: str, ticket: int) -> int:
        """1 when ``ticket`` is served now, 0 when it must wait, -1 when it expired."""
        return int(self._try_acquire(keys=[self._key(conversation_id)], args=[ticket]))

    def renew(self, conversation_id: str, ticket: int, lock_lifetime: float | None = None) -> bool:
        """Extend the lifetime of ``ticket``; False when it had already expired."""
        lifetime = self.lock_lifetime if lock_lifetime is None else lock_lifetime
        return bool(self._renew(keys=[self._key(conversation_id)], args=[ticket, self._ms(lifetime)]))

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove ``ticket_number`` (and the lock when no other ticket is left)."""
        self._release(keys=[self._key(conversation_id)], args=[ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Same as :meth:`finish_serving`: removing the ticket and the empty lock is one step."""
        self.finish_serving(conversation_id, ticket_number)

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (and the lock when none is left)."""
        self._prune(keys=[self._key(conversation_id)])

    def is_someone_waiting(self, conversation_id: str) -> bool:
        """Whether a live ticket exists for ``conversation_id``."""
        return int(self._prune(keys=[self._key(conversation_id)])) > 0

    # ------------------------------------------------------------ Rasa's LockStore interface
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """A snapshot of the lock as Rasa's ``TicketLock`` (read only; changes go through scripts)."""
        raw = self.red.hgetall(self._key(conversation_id))
        tickets = sorted(
            (int(field[2:]), int(value) / 1000)
            for field, value in ((f.decode(), v.decode()) for f, v in raw.items())
            if field.startswith("t:")
        )
        if not tickets:
            return None
        return TicketLock(conversation_id, deque(Ticket(n, expires) for n, expires in tickets))

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock of ``conversation_id``."""
        self._log_deletion(conversation_id, bool(self.red.delete(self._key(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        """Replace the stored lock by ``lock`` in one step (not used by Rasa's message handling)."""
        args: list[Any] = [lock.last_issued]
        for ticket in lock.tickets:
            args += [ticket.number, int(ticket.expires * 1000)]
        self._replace(keys=[self._key(lock.conversation_id)], args=args)

    @contextlib.asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float | None = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the lock of ``conversation_id`` for the duration of the ``async with`` block.

        Rasa calls ``lock(conversation_id)`` without the other arguments; then the configured
        ``lock_lifetime`` and ``poll_interval`` apply.

        Raises:
            LockError: Redis failed, or the ticket expired before its turn came.
        """
        lifetime = self.lock_lifetime if lock_lifetime is None else lock_lifetime
        poll = self.poll_interval if wait_time_in_seconds is None else wait_time_in_seconds
        ticket = self.issue_ticket(conversation_id, lifetime)
        keeper = asyncio.create_task(self._keep_alive(conversation_id, ticket, lifetime))
        try:
            yield await self._wait_for_turn(conversation_id, ticket, poll)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                self.finish_serving(conversation_id, ticket)
            except Exception:  # noqa: BLE001 - the ticket then expires on its own
                logger.exception("could not release the lock of conversation %s", conversation_id)

    async def _wait_for_turn(self, conversation_id: str, ticket: int, poll: float) -> TicketLock:
        while True:
            state = self.try_acquire(conversation_id, ticket)
            if state == 1:
                return self.get_lock(conversation_id) or TicketLock(conversation_id)
            if state < 0:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(poll)

    async def _keep_alive(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        """Renew ``ticket`` every third of its lifetime until cancelled."""
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                if not self.renew(conversation_id, ticket, lifetime):
                    logger.warning("lock ticket %s of conversation %s expired", ticket, conversation_id)
                    return
            except Exception:  # noqa: BLE001 - retried at the next interval
                logger.exception("could not renew the lock of conversation %s", conversation_id)
