"""The messages of the call page's socket: the Yjs sync and awareness protocols (y-protocols),
plus two messages of Cadence's own, since Yjs has no acknowledgement.

Every message is one binary WebSocket frame that starts with a message type (a lib0 var-uint):

- ``0`` sync: step 1 (a state vector), step 2 (what the other side lacks) or an update;
- ``1`` awareness: presence (who is here, where their cursor is), never stored;
- ``100`` ack (server to browser): var-uint N, "your first N updates on this socket are stored
  durably" — sent only after the database committed them;
- ``101`` notice (server to browser): a var-string, shown on the page ("Saved revision 4").
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pycrdt import Decoder, YMessageType, YSyncMessageType, write_var_uint

SYNC = int(YMessageType.SYNC)
AWARENESS = int(YMessageType.AWARENESS)
ACK = 100
NOTICE = 101

STEP1 = int(YSyncMessageType.SYNC_STEP1)
STEP2 = int(YSyncMessageType.SYNC_STEP2)
UPDATE = int(YSyncMessageType.SYNC_UPDATE)

#: A Yjs update that changes nothing (no structs, no deletions).
EMPTY_UPDATE = b"\x00\x00"


class ProtocolError(ValueError):
    """A frame that is not a message of this protocol: the socket is closed."""


@dataclass(frozen=True)
class Message:
    kind: int
    #: For sync messages: STEP1, STEP2 or UPDATE; otherwise -1.
    step: int
    #: The state vector (step 1), the update (step 2, update) or the awareness update.
    payload: bytes


def _var_uint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 35:
            raise ProtocolError("truncated number")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if byte < 0x80:
            return value, at
        shift += 7


def _payload(data: bytes, at: int) -> bytes:
    length, at = _var_uint(data, at)
    if at + length != len(data):
        raise ProtocolError("length does not match the frame")
    return data[at:]


def parse(data: bytes) -> Message:
    """One frame from a browser; ``ProtocolError`` when it is not a sync or awareness message."""
    kind, at = _var_uint(data, 0)
    if kind == SYNC:
        step, at = _var_uint(data, at)
        if step not in (STEP1, STEP2, UPDATE):
            raise ProtocolError(f"unknown sync step {step}")
        return Message(kind, step, _payload(data, at))
    if kind == AWARENESS:
        return Message(kind, -1, _payload(data, at))
    raise ProtocolError(f"unknown message type {kind}")


def _framed(*parts: int, payload: bytes) -> bytes:
    return b"".join(write_var_uint(p) for p in parts) + write_var_uint(len(payload)) + payload


def step1(state: bytes) -> bytes:
    return _framed(SYNC, STEP1, payload=state)


def step2(update: bytes) -> bytes:
    return _framed(SYNC, STEP2, payload=update)


def update(data: bytes) -> bytes:
    return _framed(SYNC, UPDATE, payload=data)


def awareness(data: bytes) -> bytes:
    return _framed(AWARENESS, payload=data)


def ack(count: int) -> bytes:
    return write_var_uint(ACK) + write_var_uint(count)


def notice(text: str) -> bytes:
    return _framed(NOTICE, payload=text.encode("utf-8"))


def read_ack(data: bytes) -> int | None:
    """The count of an ack frame (for clients written in Python: tests, the bench)."""
    kind, at = _var_uint(data, 0)
    return _var_uint(data, at)[0] if kind == ACK else None


def awareness_clients(data: bytes) -> dict[int, tuple[int, str]]:
    """``{client id: (clock, state JSON)}`` of an awareness update (``"null"``: gone)."""
    try:
        decoder = Decoder(data)
        found = {}
        for _ in range(decoder.read_var_uint()):
            client = decoder.read_var_uint()
            clock = decoder.read_var_uint()
            found[client] = (clock, decoder.read_var_string())
        return found
    except (IndexError, RuntimeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"awareness update does not decode: {exc}") from None


def awareness_entry(client: int, clock: int, state: str) -> bytes:
    """One client's entry of an awareness update."""
    raw = state.encode("utf-8")
    return write_var_uint(client) + write_var_uint(clock) + write_var_uint(len(raw)) + raw


def named_awareness(data: bytes, name: str) -> bytes:
    """``data`` (an awareness update from a browser) with each state's ``user.name`` set to the
    signed-in account's name: nobody appears on the page as someone else."""
    entries = []
    for client, (clock, state) in awareness_clients(data).items():
        if state != "null":
            try:
                value = json.loads(state)
            except ValueError:
                raise ProtocolError("awareness state is not JSON") from None
            if isinstance(value, dict) and isinstance(value.get("user"), dict):
                value["user"]["name"] = name
                state = json.dumps(value, separators=(",", ":"))
        entries.append(awareness_entry(client, clock, state))
    return write_var_uint(len(entries)) + b"".join(entries)


def awareness_gone(clients: dict[int, int]) -> bytes:
    """An awareness update saying these clients (id: last clock) have left."""
    entries = [awareness_entry(client, clock + 1, "null") for client, clock in clients.items()]
    return write_var_uint(len(entries)) + b"".join(entries)
