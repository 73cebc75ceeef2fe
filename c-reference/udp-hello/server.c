/* ANCHOR: edits */
/* udp-hello/server.c: the notes' §4.5 UDP server, receiving one datagram.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows; 4, asked for by the project):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(server_port(argc, argv)), `server [PORT]`.
 *  4. The sender and the message are printed, with §4.4.6.1's own lines (its
 *     `snd_addr`, `len` and two printf calls): the notes' §4.5 server receives the
 *     datagram and prints nothing of it. §4.4.6.1's `ret_rcv`/`ret_recv` typo is
 *     resolved to the notes' §4.5 name, `ret`.
 * Every other line is the notes'.
 */
/* ANCHOR_END: edits */
#include "apue.h"

int main(int argc, char *argv[]) /* edit 1 */
{
    /* ANCHOR: socket */
    int sockfd = socket(AF_INET, SOCK_DGRAM, 0);
    if(sockfd < 0)
    {
        perror("socket");
        exit(-1);
    }
    printf("sockfd %d\n", sockfd);
    /* ANCHOR_END: socket */

    /* ANCHOR: bind */
    /* ANCHOR: fill */
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(server_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = htonl(INADDR_ANY); //根据不同server地址需要修改
    /* ANCHOR_END: fill */

    int my_bind = bind(sockfd, (struct sockaddr*)&server_addr,
sizeof(server_addr));
    if(my_bind < 0)
    {
        perror("bind");
        close(sockfd);
        exit(-1);
    }
    /* ANCHOR_END: bind */

    /* ANCHOR: recvfrom */
    ssize_t ret;
    char buf[100] = "\0";
    struct sockaddr_in snd_addr;                /* edit 4 */
    socklen_t len = sizeof(struct sockaddr_in); /* edit 4 */

    ret = recvfrom(sockfd, buf, sizeof(buf), 0, (struct sockaddr*)&snd_addr, &len); /* edit 4 */

    if(ret < 0)
    {
        perror("recvfrom");
        close(sockfd);
        exit(-1);
    }
    printf("%s\n",inet_ntoa(snd_addr.sin_addr)); /* edit 4 */
    printf("say: %s\n",buf);                     /* edit 4 */
    /* ANCHOR_END: recvfrom */
    /* ANCHOR: close */
    close(sockfd);
    /* ANCHOR_END: close */
}
