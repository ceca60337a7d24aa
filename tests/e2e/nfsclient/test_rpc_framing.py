"""The client's ONC RPC layer against a scripted server: fragments, xids, out of order."""

from __future__ import annotations

import itertools
import socket
import struct
import threading

import pytest

from tests.fixtures.nfs4client import LAST_FRAGMENT, Packer, RPCConnection, RPCError

pytestmark = pytest.mark.e2e  # no root needed: the server is a thread of this test


def _read_call(conn: socket.socket) -> int:
    """Read one single-fragment call; return its xid."""
    (marker,) = struct.unpack(">I", conn.recv(4, socket.MSG_WAITALL))
    body = conn.recv(marker & ~LAST_FRAGMENT, socket.MSG_WAITALL)
    assert marker & LAST_FRAGMENT
    xid, msg_type, rpcvers, prog, vers, proc, cred_flavor = struct.unpack(">7I", body[:28])
    assert (msg_type, rpcvers, prog, vers, proc, cred_flavor) == (0, 2, 100003, 4, 1, 1)
    return int(xid)


def _reply(xid: int, payload: int, fragments: int = 1) -> bytes:
    body = Packer().u32(xid).u32(1).u32(0).u32(0).u32(0).u32(0).u32(payload).data()
    cut = [len(body) * i // fragments for i in range(fragments + 1)]
    pieces = [body[a:b] for a, b in itertools.pairwise(cut)]
    return b"".join(struct.pack(">I", len(piece) | (LAST_FRAGMENT if i == len(pieces) - 1
                                                     else 0)) + piece
                    for i, piece in enumerate(pieces))


def test_replies_in_any_order_and_in_fragments_reach_their_calls() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            first, second, third = (_read_call(conn) for _ in range(3))
            conn.sendall(_reply(first ^ 0x5A5A, 0)  # nobody's: dropped
                         + _reply(third, 3, fragments=5)
                         + _reply(second, 2)  # forgotten by the client: dropped
                         + _reply(first, 1, fragments=2))
            conn.recv(1)  # until the client closes

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    rpc = RPCConnection("127.0.0.1", port, timeout=10)
    try:
        first, second, third = (rpc.send(1, Packer().u32(n)) for n in range(3))
        rpc.forget(second)
        assert rpc.receive(first).u32() == 1
        assert rpc.receive(third).u32() == 3
    finally:
        rpc.close()
        thread.join(10)
        listener.close()
    with pytest.raises(RPCError):
        rpc.send(1, Packer())
