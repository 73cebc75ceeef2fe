#!/usr/bin/env python3
"""A UDP echo client that no one here wrote: Python's socket module, not the notes' C.

    udp_echo.py [--no-nul] IP PORT

Reads words from stdin (runs of bytes between white space, as scanf("%s") reads them)
and sends each as one datagram: with a NUL after it, as the C client sends
strlen(buf)+1 bytes, or, with --no-nul, the word's bytes alone. For each it waits for the
echo (5 seconds at most) and writes the echo's bytes, exactly as received, and a newline
to stdout. Exits with status 1 if an echo does not come or differs from what was sent.

What the notes' C server prints for each: "recv: WORD". Without a NUL the datagram is
still a C string in the server's buf, because buf is all zeros before every recvfrom
(its initialiser, then bzero after each message), so printf("%s") stops right after the
word. (A word of 100 bytes or more would fill buf and leave no NUL: not sent here.)
"""
import socket
import sys


def main():
    args = sys.argv[1:]
    nul = True
    if args and args[0] == "--no-nul":
        nul = False
        args = args[1:]
    if len(args) != 2:
        sys.stderr.write("usage: udp_echo.py [--no-nul] IP PORT\n")
        return 2
    server = (args[0], int(args[1]))
    words = sys.stdin.buffer.read().split()  # bytes.split(): C's isspace in "C" locale
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    status = 0
    for word in words:
        if len(word) >= 100:
            sys.stderr.write("udp_echo.py: a word of 100 bytes or more: not sent\n")
            return 2
        datagram = word + b"\0" if nul else word
        sock.sendto(datagram, server)
        try:
            echo, _ = sock.recvfrom(65536)
        except socket.timeout:
            sys.stderr.write("udp_echo.py: no echo within 5 seconds\n")
            return 1
        sys.stdout.buffer.write(echo + b"\n")
        sys.stdout.buffer.flush()
        if echo != datagram:
            sys.stderr.write("udp_echo.py: the echo differs from what was sent\n")
            status = 1
    sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
