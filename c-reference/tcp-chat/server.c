/* ANCHOR: edits */
/* tcp-chat/server.c: the notes' §6.2 chat server: accept one client, then fork: the
 * child sends what is typed on stdin, the parent prints what arrives, both at once.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(server_port(argc, argv)), `server [PORT]`.
 *  2. What it takes to compile: the notes print this server in three fragments, with a
 *     `}` that closes main right after the socket() check and two stray braces around
 *     the rest; here the fragments are one main, in the notes' order.
 *  3. End at the end of input: the child's `scanf("%s",buf);` becomes
 *     `if(scanf("%s",buf) == EOF) break;`. The notes' child never ends: at the end of
 *     input scanf returns EOF at once, forever, and the child writes the empty buf
 *     (strlen 0, so 1 byte, a NUL) again and again. With the edit, the child falls out
 *     of its loop, out of the if, off the end of main, and exits (status 0). The parent
 *     keeps reading: it still holds the connection, so the client sees no EOF.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - The parent ignores what read() returns. When the client leaves, read returns 0 at
 *    once, forever: the parent prints an empty line (puts of the zeroed buf) again and
 *    again, as fast as it can, until it is killed.
 *  - Nobody waits for the child: once it exits it stays a zombie (state Z) until the
 *    parent itself ends.
 *  - listen()'s result is not checked.
 *  - If accept() fails, its error path closes newconfd, which is -1 there (EBADF).
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
    /* edit 2: here the notes' "}" closed main, and their next fragment began with "}" */

    /* ANCHOR: bind */
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(server_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = htonl(INADDR_ANY);

    int ret = bind(sockfd, (struct sockaddr*)&server_addr, sizeof(server_addr));
    if(ret < 0)
    {
        perror("bind");
        close(sockfd);
        exit(-1);
    }
    /* ANCHOR_END: bind */

    /* ANCHOR: listen */
    listen(sockfd, 10);
    /* ANCHOR_END: listen */

    /* ANCHOR: accept */
    struct sockaddr_in client_addr;
    socklen_t len = sizeof(client_addr);
    int newconfd = accept(sockfd, (struct sockaddr *)&client_addr, &len);
    if(newconfd < 0)
    {
        perror("accept");
        close(sockfd);
        close(newconfd);
        exit(-1);
    }
    /* ANCHOR_END: accept */

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
            write(newconfd, buf, strlen(buf)+1);
            bzero(buf,sizeof(buf));
        }
    }
    /* ANCHOR_END: child */
    /* ANCHOR: parent */
    else if(fd > 0)
    {
        while(1)
        {
            read(newconfd, buf, sizeof(buf));
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
        close(newconfd);
        exit(-1);
    }
    /* ANCHOR_END: fork-error */
}
