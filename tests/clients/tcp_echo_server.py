#!/usr/bin/env python3
"""A TCP echo server that no one here wrote: Python's socket module, not the notes' C.

    tcp_echo_server.py PORT

Binds 0.0.0.0:PORT, as the notes' server binds INADDR_ANY, listens, and serves one
client, as the notes' server does. It reads the client's messages as the notes' clients
write them, 100 bytes each (TCP may deliver one in pieces, so it reads until it has 100
or the client has closed), prints "read: " and the message's bytes up to the first NUL
(what the C's printf("%s") shows of a buffer holding a NUL), and writes the message
back, whole. Unlike the C it checks what recv returns: when the client closes (recv
returns 0, or the connection is reset because the client left with an echo unread, as
the tcp-hello client does) it closes and exits with status 0, printing nothing more. It
gives up after 1000 messages or a minute without one, so that it cannot be left running.
"""
import socket
import sys


def read_message(conn):
    """Up to 100 bytes: fewer only if the client closed first."""
    got = b""
    while len(got) < 100:
        part = conn.recv(100 - len(got))
        if not part:
            break
        got += part
    return got


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: tcp_echo_server.py PORT\n")
        return 2
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("0.0.0.0", int(sys.argv[1])))
    listener.listen(5)
    listener.settimeout(60)
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        return 1
    conn.settimeout(60)
    for _ in range(1000):
        try:
            message = read_message(conn)
        except ConnectionResetError:
            break
        except socket.timeout:
            return 1
        if not message:
            break
        sys.stdout.buffer.write(b"read: " + message.split(b"\0", 1)[0] + b"\n")
        sys.stdout.buffer.flush()
        try:
            conn.sendall(message)
        except (BrokenPipeError, ConnectionResetError):
            break
    conn.close()
    listener.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
