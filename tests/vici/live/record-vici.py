#!/usr/bin/env python3
"""Records the raw bytes charon sends for one VICI command, as fixtures.

  record-vici.py SOCKET COMMAND [EVENT] > FILE

Writes every frame charon sends after the CMD_REQUEST (the EVENT frames of a
streamed command, then the CMD_RESPONSE), byte for byte, concatenated. The
registration and unregistration exchanges are not recorded. Only read-only
commands belong here: never get-shared/get-keys or anything with secrets.
"""
import socket
import struct
import sys

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_UNREGISTER, EVENT_CONFIRM, EVENT = 3, 4, 5, 7


def send(sock, ptype, name=b""):
    payload = bytes([ptype]) + (bytes([len(name)]) + name if name else b"")
    sock.sendall(struct.pack(">I", len(payload)) + payload)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise SystemExit("charon closed the connection")
        buf += chunk
    return buf


def recv_frame(sock):
    prefix = recv_exact(sock, 4)
    (length,) = struct.unpack(">I", prefix)
    if length > 512 * 1024:
        raise SystemExit("frame too large")
    return prefix + recv_exact(sock, length)


def main():
    path, command = sys.argv[1], sys.argv[2].encode()
    event = sys.argv[3].encode() if len(sys.argv) > 3 else b""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    if event:
        send(sock, EVENT_REGISTER, event)
        if recv_frame(sock)[4] != EVENT_CONFIRM:
            raise SystemExit("event registration refused")
    send(sock, CMD_REQUEST, command)
    out = sys.stdout.buffer
    while True:
        frame = recv_frame(sock)
        out.write(frame)
        if frame[4] in (CMD_RESPONSE, CMD_UNKNOWN):
            break
    if event:
        send(sock, EVENT_UNREGISTER, event)
        while recv_frame(sock)[4] == EVENT:
            pass


if __name__ == "__main__":
    main()
