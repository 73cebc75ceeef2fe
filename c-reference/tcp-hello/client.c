/* ANCHOR: edits */
/* tcp-hello/client.c: the notes' §5.4 TCP client: connect, send one word, close.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(client_port(argc, argv)) and inet_addr("192.168.126.136") becomes
 *     inet_addr(client_ip(argc, argv)), `client [IP [PORT]]`, 127.0.0.1 by default.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - write(sockfd, buf, sizeof(buf)) always sends 100 bytes: the word, its NUL, and
 *    the NULs after it.
 *  - scanf("%s") reads one word, with no limit: 100 characters or more overflow buf.
 *  - At the end of input scanf returns EOF and buf stays empty: 100 NULs are sent.
 */
/* ANCHOR_END: edits */
#include "apue.h"

int main(int argc, char *argv[]) /* edit 1 */
{
    /* ANCHOR: socket */
    //创建套接字
    int sockfd = socket(AF_INET, SOCK_STREAM, 0);
    if(sockfd < 0)
    {
        perror("socket");
        exit(-1);
    }
    /* ANCHOR_END: socket */

    /* ANCHOR: connect */
    //发起三次握手连接

    //服务器端地址信息
    struct sockaddr_in server_addr;
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(client_port(argc, argv)); /* edit 1 */
    server_addr.sin_addr.s_addr = inet_addr(client_ip(argc, argv)); /* edit 1 */

    int ret = connect(sockfd, (struct sockaddr *)&server_addr,
sizeof(server_addr));
    if(ret < 0)
    {
        perror("connect");
        close(sockfd);
        exit(-1);
    }
    /* ANCHOR_END: connect */

    /* ANCHOR: write */
    //读写数据
    char buf[100] = "\0";
    scanf("%s",buf);
    write(sockfd, buf, sizeof(buf));
    /* ANCHOR_END: write */

    /* ANCHOR: close */
    //关闭套接字
    close(sockfd);
    /* ANCHOR_END: close */
}
