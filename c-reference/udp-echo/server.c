/* ANCHOR: edits */
/* udp-echo/server.c: the notes' §4.6 UDP echo server: every datagram is sent back.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(server_port(argc, argv)), `server [PORT]`.
 *  2. To compile: the notes' first line reads `"apue.h"`, without `#include`.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - printf("recv: %s\n", buf) of a 100-byte datagram: buf has no NUL, and %s reads
 *    on past the array (undefined behaviour).
 *  - `len` is set once, before the loop; recvfrom may lower it, and it is never reset.
 *    Harmless here, as every sender is an AF_INET sockaddr_in of the same size.
 *  - The server never ends: it runs until it is killed (the runner sends SIGTERM).
 */
/* ANCHOR_END: edits */
#include "apue.h" /* edit 2 */

int main(int argc, char *argv[]) /* edit 1 */
{
    /* ANCHOR: socket */
    //创建套接字
    int sockfd = socket(AF_INET, SOCK_DGRAM, 0);
    if(sockfd < 0)
    {
        perror("socket");
        exit(-1);
    }
    /* ANCHOR_END: socket */

    /* ANCHOR: bind */
    //bind绑定
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

    /* ANCHOR: vars */
    //从client接收
    struct sockaddr_in client_addr;
    socklen_t len = sizeof(struct sockaddr_in);
    ssize_t ret_rcv;    //client的大小
    char buf[100] = "\0";

    //发回给client
    ssize_t ret_send;
    /* ANCHOR_END: vars */

    /* ANCHOR: loop */
    while(1)
    {
        ret_rcv = recvfrom(sockfd, buf, sizeof(buf), 0, (struct
sockaddr*)&client_addr, &len);
        if(ret_rcv < 0)
        {
            perror("recvfrom");
            close(sockfd);
            exit(-1);
        }

        printf("recv: %s\n", buf);

        ret_send = sendto(sockfd, buf, ret_rcv, 0, (struct
sockaddr*)&client_addr, sizeof(client_addr));
        if(ret_send < 0)
        {
            perror("sendto");
            close(sockfd);
            exit(-1);
        }

        bzero(buf, sizeof(buf));
    }
    /* ANCHOR_END: loop */
    /* ANCHOR: close */
    close(sockfd);
    /* ANCHOR_END: close */
}
