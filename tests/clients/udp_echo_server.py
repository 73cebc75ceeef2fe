#!/usr/bin/env python3
"""A UDP echo server that no one here wrote: Python's socket module, not the notes' C.

    udp_echo_server.py PORT

Binds 0.0.0.0:PORT, as the notes' server binds INADDR_ANY, and for each datagram
prints "recv: " and its bytes up to the first NUL (what the C's printf("%s") shows of a
datagram shorter than its buf) and sends the datagram back, whole, to its sender. Like
the C it serves until it is killed; unlike it, it gives up after 1000 datagrams or a
minute without one, so that it cannot be left running.
"""
import socket
import sys


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: udp_echo_server.py PORT\n")
        return 2
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", int(sys.argv[1])))
    sock.settimeout(60)
    for _ in range(1000):
        try:
            data, sender = sock.recvfrom(100)
        except socket.timeout:
            return 1
        sys.stdout.buffer.write(b"recv: " + data.split(b"\0", 1)[0] + b"\n")
        sys.stdout.buffer.flush()
        sock.sendto(data, sender)
    return 0


if __name__ == "__main__":
    sys.exit(main())
