/* calls.c: the socket calls that tests/sockaddr.rs makes, made by C, for their results.
 *
 * Every socket is on loopback and bound to port 0 (the kernel picks a free port); no
 * fixed port is used, and nothing leaves the host.
 *
 * Output: one `name RET ERRNO` per line, RET what the call returned and ERRNO the errno
 * it left (0 when it succeeded; errno is cleared before each call). Names:
 *
 *   socket.bad_type             socket(AF_INET, 12345, 0)
 *   bind.twice                  a second bind of a bound UDP socket, to 127.0.0.1:0
 *   bind.in_use                 bind of a new UDP socket to another one's 127.0.0.1:PORT
 *   recvfrom.dontwait_empty     recvfrom(.., MSG_DONTWAIT, ..) on a socket with no datagram
 *   recvfrom.short_buffer       recvfrom of a 150-byte datagram into char buf[100]
 *   recvfrom.short_buffer_rest  recvfrom(.., MSG_DONTWAIT, ..) just after: the other 50
 *                               bytes are gone, not queued
 *   recvfrom.short_buffer_trunc the same into buf[100] with MSG_TRUNC
 *   sendto.broadcast            sendto 255.255.255.255:PORT (PORT bound on 127.0.0.1),
 *                               without SO_BROADCAST
 *   close                       close of a UDP socket
 *
 * A step that should have worked and did not (a setup socket, bind or sendto) prints
 * its perror on stderr and exits with status 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void report(const char *name, long ret)
{
    printf("%s %ld %d\n", name, ret, ret < 0 ? errno : 0);
}

static void must(int ok, const char *what)
{
    if (!ok) {
        perror(what);
        exit(2);
    }
}

/* A UDP socket bound to 127.0.0.1:0; its address, with the port the kernel chose, in *addr. */
static int bound_udp(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    must(fd >= 0, "socket");
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons(0);
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    must(bind(fd, (struct sockaddr *)addr, sizeof(*addr)) == 0, "bind");
    socklen_t len = sizeof(*addr);
    must(getsockname(fd, (struct sockaddr *)addr, &len) == 0, "getsockname");
    return fd;
}

int main(void)
{
    struct sockaddr_in a, b;
    char buf[100], big[150];
    long ret;

    errno = 0;
    ret = socket(AF_INET, 12345, 0);
    report("socket.bad_type", ret);

    int fa = bound_udp(&a);
    struct sockaddr_in again;
    memset(&again, 0, sizeof(again));
    again.sin_family = AF_INET;
    again.sin_port = htons(0);
    again.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    errno = 0;
    ret = bind(fa, (struct sockaddr *)&again, sizeof(again));
    report("bind.twice", ret);

    int fc = socket(AF_INET, SOCK_DGRAM, 0);
    must(fc >= 0, "socket");
    errno = 0;
    ret = bind(fc, (struct sockaddr *)&a, sizeof(a));
    report("bind.in_use", ret);

    errno = 0;
    ret = recvfrom(fa, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
    report("recvfrom.dontwait_empty", ret);

    int fb = bound_udp(&b);
    memset(big, 'x', sizeof(big));
    must(sendto(fb, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)) == sizeof(big),
         "sendto");
    errno = 0;
    ret = recvfrom(fa, buf, sizeof(buf), 0, NULL, NULL);
    report("recvfrom.short_buffer", ret);
    errno = 0;
    ret = recvfrom(fa, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
    report("recvfrom.short_buffer_rest", ret);

    must(sendto(fb, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)) == sizeof(big),
         "sendto");
    errno = 0;
    ret = recvfrom(fa, buf, sizeof(buf), MSG_TRUNC, NULL, NULL);
    report("recvfrom.short_buffer_trunc", ret);

    struct sockaddr_in bcast;
    memset(&bcast, 0, sizeof(bcast));
    bcast.sin_family = AF_INET;
    bcast.sin_port = a.sin_port;
    bcast.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    errno = 0;
    ret = sendto(fb, "hello", 5, 0, (struct sockaddr *)&bcast, sizeof(bcast));
    report("sendto.broadcast", ret);

    close(fb);
    close(fc);
    errno = 0;
    ret = close(fa);
    report("close", ret);

    return ferror(stdout) ? 1 : 0;
}
