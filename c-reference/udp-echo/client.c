/* ANCHOR: edits */
/* udp-echo/client.c: the notes' §4.6 UDP echo client: send each word, print the echo.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(client_port(argc, argv)) and inet_addr("192.168.126.130") becomes
 *     inet_addr(client_ip(argc, argv)), `client [IP [PORT]]`, 127.0.0.1 by default.
 *  3. End at the end of input: `scanf("%s",buf);` becomes
 *     `if(scanf("%s",buf) == EOF) break;`. The notes' loop never ends: at end of input
 *     scanf returns EOF at once, forever, buf stays as bzero left it, and the client
 *     sends a 1-byte datagram (strlen("")+1: the NUL alone) again and again.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - scanf("%s") reads one word: the line "hello world" is two messages.
 *  - scanf("%s") has no limit: a word of 100 characters or more writes past buf's end.
 *  - A lost datagram (UDP may lose one) leaves recvfrom waiting forever.
 */
/* ANCHOR_END: edits */
#include "apue.h"

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

    /* ANCHOR: addr */
    //send to server
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(client_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = inet_addr(client_ip(argc, argv)); /* edit 1 */
    /* ANCHOR_END: addr */

    /* ANCHOR: vars */
    ssize_t ret_send;    //client的大小
    char buf[100] = "\0";

    //receive from server
    struct sockaddr_in client_addr;
    socklen_t len = sizeof(struct sockaddr_in);
    ssize_t ret_rcv;
    /* ANCHOR_END: vars */

    /* ANCHOR: loop */
    while(1)
    {
        if(scanf("%s",buf) == EOF) break; /* edit 3 */
        ret_send = sendto(sockfd, buf, strlen(buf)+1, 0, (struct
sockaddr*)&server_addr, sizeof(server_addr));
        if(ret_send < 0)
        {
            perror("sendto");
            close(sockfd);
            exit(-1);
        }
        bzero(buf, sizeof(buf));
        ret_rcv = recvfrom(sockfd, buf, sizeof(buf),0,(struct
sockaddr*)&client_addr, &len);    //后两个可以直接写NULL
        if(ret_rcv < 0)
        {
            perror("recvfrom");
            close(sockfd);
            exit(-1);
        }
        printf("%s\n",buf);
        bzero(buf, sizeof(buf));
    }
    /* ANCHOR_END: loop */
    /* ANCHOR: close */
    close(sockfd);
    /* ANCHOR_END: close */
}
