/* ANCHOR: edits */
/* tcp-hello/server.c: the notes' §5.4 TCP server: accept one client, read once.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(server_port(argc, argv)), `server [PORT]`.
 * Every other line is the notes', bugs included (the book's errata, each tested):
 *  - read()'s return value is ignored: a client that sends nothing and leaves makes
 *    the server print "read: " and an empty string.
 *  - printf("%s") of a buffer that a 100-byte read filled has no NUL to stop at.
 */
/* ANCHOR_END: edits */
#include "apue.h"

int main(int argc, char *argv[]) /* edit 1 */
{
    /* ANCHOR: socket */
    //创建套接字
    int listenfd = socket(AF_INET, SOCK_STREAM, 0);
    if(listenfd < 0)
    {
        perror("socket");
        exit(-1);
    }
    /* ANCHOR_END: socket */

    /* ANCHOR: bind */
    //绑定
    struct sockaddr_in self_addr;
    self_addr.sin_family = AF_INET;
    self_addr.sin_port = htons(server_port(argc, argv)); /* edit 1 */
    self_addr.sin_addr.s_addr = htonl(INADDR_ANY);

    int ret = bind(listenfd, (struct sockaddr*)&self_addr, sizeof(self_addr));
    if(ret < 0)
    {
        perror("bind");
        close(listenfd);
        exit(-1);
    }
    /* ANCHOR_END: bind */

    /* ANCHOR: listen */
    //监听，设置最大连接值
    int ret_listen = listen(listenfd, 5);
    if(ret_listen < 0)
    {
        perror("listen");
        close(listenfd);
        exit(-1);
    }
    /* ANCHOR_END: listen */

    /* ANCHOR: accept */
    //阻塞等待连接
    int newconfd = accept(listenfd, NULL, NULL);
    if(newconfd<0)
    {
        perror("accept");
        close(listenfd);
        exit(-1);
    }
    /* ANCHOR_END: accept */

    /* ANCHOR: read */
    //读写数据
    char buf[100] = "\0";
    read(newconfd, buf, sizeof(buf));
    printf("read: %s\n",buf);
    /* ANCHOR_END: read */

    /* ANCHOR: close */
    //关闭套接字
    close(listenfd);
    close(newconfd);
    /* ANCHOR_END: close */
}
