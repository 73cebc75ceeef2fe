/* apue.h: what the notes' `#include "apue.h"` stands for.
 *
 * The notes' programs include the header of Stevens and Rago's "Advanced Programming
 * in the UNIX Environment" and never say what is in it. For these programs it only has
 * to bring in the system headers below. The Rust twins' `use socklab::apue::*;` is the
 * same idea.
 *
 * It also holds the one addition to the notes' programs that c-reference/README.md
 * allows: their arguments. Every lesson program, C and Rust, takes
 *
 *     server [PORT]          client [IP [PORT]]
 *
 * PORT defaults to the notes' 5678 and IP to 127.0.0.1 (the notes' 192.168.x.x was a
 * machine of theirs). A bad argument prints one line on stderr and exits with status 2;
 * src/apue.rs prints the same bytes.
 */
#ifndef SOCKLAB_APUE_H
#define SOCKLAB_APUE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PORT 5678
#define DEFAULT_IP "127.0.0.1"
#define USAGE_STATUS 2

/* A port given on the command line: decimal digits only, 0 to 65535. Stricter than
 * atoi(), which reads "abc" as 0 and "65536" as 65536 (that htons then truncates to 0):
 * a mistyped port should say so, not bind somewhere else. */
static inline unsigned short parse_port(const char *arg)
{
    const char *p = arg;
    unsigned long value = 0;

    if (*p == '\0')
        goto bad;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            goto bad;
        value = value * 10 + (unsigned long)(*p - '0');
        if (value > 65535)
            goto bad;
    }
    return (unsigned short)value;
bad:
    fprintf(stderr, "bad port '%s': want a number from 0 to 65535\n", arg);
    exit(USAGE_STATUS);
}

/* server [PORT]: the port, in host byte order. */
static inline unsigned short server_port(int argc, char *argv[])
{
    if (argc > 2) {
        fprintf(stderr, "usage: server [PORT]\n");
        exit(USAGE_STATUS);
    }
    return argc > 1 ? parse_port(argv[1]) : DEFAULT_PORT;
}

/* client [IP [PORT]]: the server's address, as typed, for inet_addr() to read. */
static inline const char *client_ip(int argc, char *argv[])
{
    if (argc > 3) {
        fprintf(stderr, "usage: client [IP [PORT]]\n");
        exit(USAGE_STATUS);
    }
    return argc > 1 ? argv[1] : DEFAULT_IP;
}

/* client [IP [PORT]]: the server's port, in host byte order. */
static inline unsigned short client_port(int argc, char *argv[])
{
    return argc > 2 ? parse_port(argv[2]) : DEFAULT_PORT;
}

#endif
