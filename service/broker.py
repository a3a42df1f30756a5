"""kombu's Redis transport, keeping one publishing client per channel instead of one per message.

kombu builds a new `redis.Redis` object for every LPUSH it sends (`Channel._create_client`);
its constructor copies redis-py's ~170 response callbacks, a third of an intake publish's CPU
(bench/intake.py: 370 -> 240 µs per publish). A `redis.Redis` over a connection pool is safe to
share between threads: each command takes its own connection from the pool, as before. The
long-lived BRPOP and pub/sub clients (`asynchronous=True`) are left exactly as kombu makes them.

Used for `redis://` and `rediss://` broker URLs (config.py); other schemes keep kombu's own.
"""
from __future__ import annotations

import redis
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _publishing_client: redis.Redis | None = None

    def _create_client(self, asynchronous: bool = False) -> redis.Redis:
        if asynchronous:
            return super()._create_client(asynchronous=True)
        client = self._publishing_client
        # A channel that lost its connection rebuilds its pool: a client on the old one would
        # keep handing out dead connections.
        if client is None or client.connection_pool is not self.pool:
            client = self._publishing_client = super()._create_client()
        return client


class Transport(kombu_redis.Transport):
    Channel = Channel
