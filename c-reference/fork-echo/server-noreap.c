/* ANCHOR: about */
/* fork-echo/server-noreap.c: fork-echo/server.c without its SIGCHLD handler: one child per
 * client, and no one waits for them.
 *
 * This file is socklab's, not the notes'. It is the server that the notes' §5.3.2 and §6
 * lead to, accept in a loop and fork per client as the notes' chat forks, and nothing
 * more: the notes never call wait or waitpid. Every child that has served its client and
 * exited stays in the process table as a zombie (state Z in ps, <defunct>), holding its
 * pid and its exit status for a parent that never asks. One per client, for as long as
 * the parent lives: a busy server runs out of pids (fork: Resource temporarily
 * unavailable). When the parent dies, init inherits the zombies and reaps them.
 *
 * It is server.c line for line, with sig_chld and the sigaction that installs it left
 * out, and nothing else changed (the test
 * fork_echo::the_noreap_server_is_the_server_without_its_handler checks that): read
 * server.c's header for why each line is there. The accept loop keeps its EINTR check,
 * though here no handler can interrupt accept.
 */
/* ANCHOR_END: about */
#include "apue.h"

int main(int argc, char *argv[])
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
    self_addr.sin_port = htons(server_port(argc, argv));
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
    int ret_listen = listen(listenfd, 128);
    if(ret_listen < 0)
    {
        perror("listen");
        close(listenfd);
        exit(-1);
    }
    /* ANCHOR_END: listen */

    /* ANCHOR: accept */
    while(1)
    {
        //阻塞等待连接
        int newconfd = accept(listenfd, NULL, NULL);
        if(newconfd < 0)
        {
            if(errno == EINTR) //被信号打断: 再等
                continue;
            perror("accept");
            close(listenfd);
            exit(-1);
        }
        /* ANCHOR_END: accept */

        /* ANCHOR: fork */
        //创建子进程
        pid_t pid = fork();
        if(pid < 0)
        {
            perror("fork");
            close(newconfd);
            continue;
        }
        /* ANCHOR_END: fork */

        /* ANCHOR: child */
        if(0 == pid)
        {
            //子进程: 只服务这个客户端, 不需要监听套接字
            close(listenfd);

            //读写数据: 读到多少, 写回多少
            char buf[100] = "\0";
            while(1)
            {
                ssize_t n = read(newconfd, buf, sizeof(buf));
                if(n <= 0)
                    break;
                write(newconfd, buf, n);
            }

            //关闭套接字
            close(newconfd);
            exit(0);
        }
        /* ANCHOR_END: child */

        /* ANCHOR: parent */
        //父进程: 连接交给子进程, 自己回去accept
        close(newconfd);
    }
    /* ANCHOR_END: parent */
}
