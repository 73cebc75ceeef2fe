#!/usr/bin/env python3
"""A TCP echo client that no one here wrote: Python's socket module, not the notes' C.

    tcp_echo.py [--word-only] IP PORT

Connects to IP:PORT, reads words from stdin (runs of bytes between white space, as
scanf("%s") reads them), and for each writes one message: the 100 bytes the notes'
client writes, the word and NULs after it (write(sockfd, buf, sizeof(buf)), here with
buf cleared before each word), or, with --word-only, the word's bytes alone. After each
it reads the echo, exactly 100 bytes (the notes' server writes its whole buf[100] back,
whatever it read; TCP may deliver it in pieces, so it reads until it has 100), and
writes those bytes, as received, and a newline to stdout. It sends the next word only
once the echo is in, so that two words never reach the server in one read. At the end
of input it closes the connection. Exits with status 1 if an echo does not come within
5 seconds or the connection ends first.

What the notes' C server prints for each: "read: WORD". With --word-only the server's
read returns the word's bytes alone, into a buf that is all zeros (its initialiser, then
bzero after each message), so printf("%s") still stops right after the word, and it
still writes back 100 bytes: the word and NULs. (A word of 100 bytes or more would fill
buf and leave no NUL: not sent here.)
"""
import socket
import sys


def read_exactly(sock, n):
    """n bytes from sock, or fewer if the connection ends first."""
    got = b""
    while len(got) < n:
        part = sock.recv(n - len(got))
        if not part:
            break
        got += part
    return got


def main():
    args = sys.argv[1:]
    word_only = False
    if args and args[0] == "--word-only":
        word_only = True
        args = args[1:]
    if len(args) != 2:
        sys.stderr.write("usage: tcp_echo.py [--word-only] IP PORT\n")
        return 2
    words = sys.stdin.buffer.read().split()  # bytes.split(): C's isspace in "C" locale
    for word in words:
        if len(word) >= 100:
            sys.stderr.write("tcp_echo.py: a word of 100 bytes or more: not sent\n")
            return 2
    sock = socket.create_connection((args[0], int(args[1])), timeout=5)
    status = 0
    for word in words:
        message = word if word_only else word + b"\0" * (100 - len(word))
        sock.sendall(message)
        try:
            echo = read_exactly(sock, 100)
        except socket.timeout:
            sys.stderr.write("tcp_echo.py: no echo within 5 seconds\n")
            status = 1
            break
        sys.stdout.buffer.write(echo + b"\n")
        sys.stdout.buffer.flush()
        if len(echo) < 100:
            sys.stderr.write("tcp_echo.py: the connection ended before the echo\n")
            status = 1
            break
    sock.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
