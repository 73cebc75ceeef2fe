/* ANCHOR: edits */
/* tcp-chat/client.c: the notes' §6.2 chat client: connect, then fork: the child sends
 * what is typed on stdin, the parent prints what arrives, both at once.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(client_port(argc, argv)) and inet_addr("192.168.126.136") becomes
 *     inet_addr(client_ip(argc, argv)), `client [IP [PORT]]`, 127.0.0.1 by default.
 *  2. What it takes to compile: the notes end main after the fork() error path's
 *     close(sockfd), then print a stray fragment, `exit(-1); } }`; joined the one way
 *     its braces fit, exit(-1) ends that error path, as in the server.
 *  3. End at the end of input: the child's `scanf("%s",buf);` becomes
 *     `if(scanf("%s",buf) == EOF) break;`. The notes' child never ends: at the end of
 *     input scanf returns EOF at once, forever, and the child writes the empty buf
 *     (strlen 0, so 1 byte, a NUL) again and again. With the edit, the child falls out
 *     of its loop, out of the if, off the end of main, and exits (status 0). The parent
 *     keeps reading: it still holds the connection, so the server sees no EOF.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - The parent ignores what read() returns. When the server leaves, read returns 0 at
 *    once, forever: the parent prints an empty line (puts of the zeroed buf) again and
 *    again, as fast as it can, until it is killed.
 *  - Nobody waits for the child: once it exits it stays a zombie (state Z) until the
 *    parent itself ends.
 *  - scanf("%s") reads one word, with no limit: 100 characters or more overflow buf.
 *  - Words that arrive together are read together: the parent's one read may return
 *    "one\0two\0", and puts prints "one" only.
 */
/* ANCHOR_END: edits */
#include "apue.h"

int main(int argc, char *argv[]) /* edit 1 */
{
    /* ANCHOR: socket */
    int sockfd = socket(AF_INET, SOCK_STREAM, 0);
    if(sockfd < 0)
    {
        perror("socket");
        exit(-1);
    }
    /* ANCHOR_END: socket */

    /* ANCHOR: connect */
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(client_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = inet_addr(client_ip(argc, argv)); /* edit 1 */

    socklen_t len = sizeof(server_addr);
    int ret = connect(sockfd, (struct sockaddr *)&server_addr, len);
    if(ret < 0)
    {
        perror("connect");
        close(sockfd);
        exit(-1);
    }
    /* ANCHOR_END: connect */

    /* ANCHOR: fork */
    char buf[100] = "\0";
    int fd = fork();
    /* ANCHOR_END: fork */
    /* ANCHOR: child */
    if(0 == fd)
    {
        while(1)
        {
            if(scanf("%s",buf) == EOF) break; /* edit 3 */
            write(sockfd, buf, strlen(buf)+1);
            bzero(buf,sizeof(buf));
        }
    }
    /* ANCHOR_END: child */
    /* ANCHOR: parent */
    else if(fd > 0)
    {
        while(1)
        {
            read(sockfd, buf, sizeof(buf));
            puts(buf);
            bzero(buf,sizeof(buf));
        }
    }
    /* ANCHOR_END: parent */
    /* ANCHOR: fork-error */
    else
    {
        perror("fork");
        close(sockfd);
        exit(-1); /* edit 2 */
    }
    /* ANCHOR_END: fork-error */
}
