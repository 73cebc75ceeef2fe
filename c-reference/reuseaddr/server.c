/* ANCHOR: edits */
/* reuseaddr/server.c: the notes' §5.5 TCP echo server with the notes' §6 fix for
 * "bind: Address already in use": SO_REUSEADDR, set before bind, as §6 says to.
 *
 * socklab's edits to the notes' code, each marked "edit N" where it stands (numbered by
 * kind: 1 arguments, 2 what it takes to compile, 3 ending at the end of input, the three
 * that c-reference/README.md allows):
 *  1. Arguments: main takes argc, argv; htons(5678) becomes
 *     htons(server_port(argc, argv)), `server [PORT]`.
 * The lines marked "§6" are the notes' own, in the place the notes give them ("在bind之前
 * 添加以下代码"). Every other line is tcp-echo/server.c's, bugs included.
 *
 * SO_REUSEADDR lets bind take a port that a closed connection still holds in TIME_WAIT.
 * It does not let two servers listen on one port at once: the notes' first cause of
 * "Address already in use" (two servers) is not cured by it. The reuseaddr lesson shows
 * both.
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

    /* ANCHOR: setsockopt */
    int on = 1;                                              /* §6 */
    setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)); /* §6 */
    // SO_REUSEADDR可以使地址端口马上重用
    /* ANCHOR_END: setsockopt */

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

    //监听，设置最大连接值
    int ret_listen = listen(listenfd, 5);
    if(ret_listen < 0)
    {
        perror("listen");
        close(listenfd);
        exit(-1);
    }

    //阻塞等待连接
    int newconfd = accept(listenfd, NULL, NULL);
    if(newconfd<0)
    {
        perror("accept");
        close(listenfd);
        exit(-1);
    }

    /* ANCHOR: loop */
    //读写数据
    char buf[100] = "\0";
    while(1)
    {
        read(newconfd, buf, sizeof(buf));
        printf("read: %s\n",buf);
        write(newconfd, buf, sizeof(buf));
        bzero(buf,sizeof(buf));
    }
    /* ANCHOR_END: loop */

    //关闭套接字
    close(listenfd);
    close(newconfd);
}
