"""ConversationStore in Redis: one list per session, shared by every worker.

A conversation is the list `<prefix>:conv:<owner digest>:<session_id>` (the owner's subject
hashed, so a key never spells out who owns it): element 0 is a header
(`{"owner": ...}`), the rest its turns oldest first, each msgspec JSON. One key per
conversation keeps every operation one round trip and lets a delete move it whole; a list
lets a Lua script append and trim atomically without decoding any JSON inside Redis.

Every append re-sets the expiry to `retention_s` (a sliding expiry). `delete` is soft: the
list is renamed, its remaining time to live kept, to
`<prefix>:deleted:conv:<owner digest>:<session_id>:<random>`, which the store never reads
back, so the session starts afresh and the old turns stay available to an operator until
their retention ends. The random suffix keeps an earlier deleted copy from being overwritten.
"""

from __future__ import annotations

import hashlib
import uuid

import msgspec

from askdocs.adapters.conversations.stored_turns import StoredTurn, stored, turn_of
from askdocs.adapters.redis.client import RedisClient
from askdocs.application.errors import UpstreamUnavailable
from askdocs.domain.conversations import Conversation, Turn

# KEYS[1] the list; ARGV: header, turn, keep, retention_s. Turns sit after the header, so
# trimming the oldest takes the header off, trims, and puts it back.
_APPEND = """
local keep = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('RPUSH', KEYS[1], ARGV[1])
end
if keep > 0 then
    redis.call('RPUSH', KEYS[1], ARGV[2])
    local excess = redis.call('LLEN', KEYS[1]) - 1 - keep
    if excess > 0 then
        local header = redis.call('LPOP', KEYS[1])
        redis.call('LTRIM', KEYS[1], excess, -1)
        redis.call('LPUSH', KEYS[1], header)
    end
else
    redis.call('LTRIM', KEYS[1], 0, 0)
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS[1] the list, KEYS[2] its deleted name. RENAME keeps the time to live.
_DELETE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[2])
    return 1
end
return 0
"""


class _Header(msgspec.Struct, frozen=True):
    owner: str


_encoder = msgspec.json.Encoder()
_header_decoder = msgspec.json.Decoder(_Header)
_turn_decoder = msgspec.json.Decoder(StoredTurn)


class RedisConversationStore:
    """Conversations by session id in Redis, kept `retention_s` after their last turn.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: Redis cannot be reached (or holds a conversation
            this version cannot read).
    """

    def __init__(self, client: RedisClient, *, retention_s: int) -> None:
        self._client = client
        self._retention_s = retention_s
        self._append = client.script(_APPEND)
        self._delete = client.script(_DELETE)

    async def get(self, session_id: str, owner: str) -> Conversation | None:
        async with self._client.translate_errors():
            items = await self._client.execute("LRANGE", self._key(session_id, owner), 0, -1)
        if not items:
            return None
        try:
            header = _header_decoder.decode(items[0])
            turns = tuple(turn_of(_turn_decoder.decode(item)) for item in items[1:])
        except msgspec.DecodeError as exc:
            raise UpstreamUnavailable(f"conversation {session_id} cannot be read") from exc
        return Conversation(id=session_id, owner=header.owner, turns=turns)

    async def append(self, session_id: str, owner: str, turn: Turn, *, keep: int) -> None:
        header = _encoder.encode(_Header(owner=owner))
        entry = _encoder.encode(stored(turn))
        async with self._client.translate_errors():
            await self._append(
                [self._key(session_id, owner)], [header, entry, keep, self._retention_s]
            )

    async def delete(self, session_id: str, owner: str) -> None:
        deleted = self._client.key("deleted", "conv", _digest(owner), session_id, uuid.uuid4().hex)
        async with self._client.translate_errors():
            await self._delete([self._key(session_id, owner), deleted], [])

    def _key(self, session_id: str, owner: str) -> str:
        return self._client.key("conv", _digest(owner), session_id)


def _digest(owner: str) -> str:
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]
