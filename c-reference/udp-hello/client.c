/* ANCHOR: edits */
/* udp-hello/client.c: the notes' §4.5 UDP client, sending "hello world".
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(client_port(argc, argv)) and inet_addr("192.168.31.24") becomes
 *     inet_addr(client_ip(argc, argv)), `client [IP [PORT]]`, 127.0.0.1 by default.
 * Every other line is the notes'. Note sizeof(buf): 12 bytes, the NUL included.
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
    /* ANCHOR_END: socket */

    /* ANCHOR: addr */
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(client_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = inet_addr(client_ip(argc, argv)); /* edit 1 */
    /* ANCHOR_END: addr */

    /* ANCHOR: sendto */
    ssize_t ret;
    char buf[] = "hello world";

    ret = sendto(sockfd, buf, sizeof(buf), 0, (struct sockaddr*)&server_addr,
        sizeof(server_addr));

    if(ret < 0)
    {
        perror("sendto");
        close(sockfd);
        exit(-1);
    }
    /* ANCHOR_END: sendto */
    /* ANCHOR: close */
    close(sockfd);
    /* ANCHOR_END: close */
}
