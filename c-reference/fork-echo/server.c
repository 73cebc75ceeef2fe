/* ANCHOR: about */
/* fork-echo/server.c: a TCP echo server that serves many clients at once, one child
 * process per client, and reaps its children on SIGCHLD.
 *
 * This file is socklab's, not the notes'. The notes stop at §6.2: a server that accepts
 * one client and forks once, for a chat. Their §5.3.2 says why accept returns a new
 * socket ("为并发服务器做准备": to prepare for a concurrent server, one child per
 * connection) and leave it there. This is that server, written in the notes' style and
 * names (listenfd, newconfd, buf[100], //中文 comments), so that it reads as the notes'
 * tcp-echo server (§5.5) made concurrent and correct. Why each part is there:
 *
 *  - sig_chld, installed with sigaction(SIGCHLD): a child that exits stays a zombie until
 *    its parent waits for it. The kernel tells the parent with SIGCHLD; the handler waits
 *    with waitpid(-1, NULL, WNOHANG), in a loop, because one SIGCHLD may stand for several
 *    children (a signal that is already pending is not queued twice). WNOHANG, because the
 *    loop must stop when no ended child is left, not wait for the living ones. It saves
 *    and restores errno: it runs between any two instructions of main, and waitpid sets
 *    errno (ECHILD at the end of the loop) where main may be about to read it.
 *  - SA_RESTART: a signal that arrives while main waits in accept interrupts accept.
 *    With SA_RESTART the kernel restarts it after the handler, and main never knows.
 *  - if(errno == EINTR) continue; all the same: not every system restarts accept (POSIX
 *    leaves it open, and older Unixes did not), and without SA_RESTART Linux does not
 *    either. Here it is there for robustness; the test
 *    fork_echo::eintr_sa_restart_and_the_continue compiles this file without SA_RESTART
 *    and shows the continue doing the work, and without the continue too, dying of it.
 *  - listen(listenfd, 128): many clients may connect at once. The backlog is the queue
 *    of connections waiting for accept; when it is full, Linux drops the new SYN (or
 *    the handshake's last ACK), and the client tries again a second later. With the
 *    notes' 5, a burst of 200 connects had some clients wait a second; the tests send
 *    50 at once.
 *  - fork after accept: the child gets a copy of every descriptor. The child closes
 *    listenfd (it serves one client, never accepts), the parent closes newconfd (it
 *    never talks to a client): a connection is closed, its FIN sent, only when every
 *    process holding it has closed it. A parent that kept newconfd would run out of
 *    descriptors, and its clients would never see the end of the stream.
 *  - n = read(...); if(n <= 0) break; write(newconfd, buf, n): the tcp-echo server's
 *    two bugs fixed. 0 is the end of the stream (the client closed), -1 an error: either
 *    way the child is done. And it writes back what it read, n bytes, not sizeof(buf).
 *    (A blocking write of n bytes to a socket writes them all, unless a signal
 *    interrupts it; this child catches none: SIGCHLD comes to parents.)
 *  - exit(0) in the child, so that it never returns to the accept loop. There is nothing
 *    in stdio's buffers to flush twice: this server prints nothing but errors, so that
 *    two hundred children do not interleave their lines.
 *  - fork failing (EAGAIN: too many processes) refuses one client, not all: the parent
 *    closes the connection and goes on.
 * Not here, and a real server would have it: SO_REUSEADDR (see reuseaddr/server.c), and a
 * limit on the number of children.
 *
 * server-noreap.c is this file without sig_chld and its sigaction: the pattern the
 * notes' §6 leads to, whose children become zombies.
 */
/* ANCHOR_END: about */
#include "apue.h"
#include <signal.h> /* sigaction: apue.h holds what the notes' programs need */

/* ANCHOR: sig_chld */
//SIGCHLD信号处理函数: 回收所有已结束的子进程
void sig_chld(int signo)
{
    (void)signo;
    int saved_errno = errno;
    while(waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved_errno;
}
/* ANCHOR_END: sig_chld */

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

    /* ANCHOR: sigaction */
    //注册SIGCHLD信号处理函数, 被打断的accept自动重启
    struct sigaction act;
    act.sa_handler = sig_chld;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_RESTART;
    int ret_sig = sigaction(SIGCHLD, &act, NULL);
    if(ret_sig < 0)
    {
        perror("sigaction");
        close(listenfd);
        exit(-1);
    }
    /* ANCHOR_END: sigaction */

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
