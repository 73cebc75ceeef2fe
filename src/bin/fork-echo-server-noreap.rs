//! fork-echo server without its handler: the Rust twin of
//! `c-reference/fork-echo/server-noreap.c` (beyond the notes).
//!
//! `fork-echo-server` line for line, with `sig_chld` and the `sigaction` that installs
//! it left out, and nothing else changed (the test
//! `fork_echo::the_noreap_server_is_the_server_without_its_handler` checks that). No one
//! waits for the children: each one that has served its client stays a zombie for as
//! long as this server lives. The pattern the notes' §6 leads to; see the C file.
//!
//! `fork` is safe to call here because this program is single-threaded: see the
//! `# Safety` section of `socklab::process::fork`.
//!
//! Usage: `fork-echo-server-noreap [PORT]` (5678 by default).

use socklab::apue::*;

fn main() {
    // ANCHOR: sigpipe
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it. A child
    // writing to a client that has reset the connection dies of it, as the C's does.
    let _ = signal(SIGPIPE, SIG_DFL);
    // ANCHOR_END: sigpipe

    // ANCHOR: socket
    //创建套接字
    let listenfd = match socket(AF_INET, SOCK_STREAM, 0) {
        Ok(fd) => fd,
        Err(e) => {
            perror("socket", e);
            exit(-1);
        }
    };
    // ANCHOR_END: socket

    // ANCHOR: bind
    //绑定
    let mut self_addr = sockaddr_in::default();
    self_addr.sin_family = AF_INET as sa_family_t;
    self_addr.sin_port = htons(server_port());
    self_addr.sin_addr.s_addr = htonl(INADDR_ANY);

    let ret = bind(&listenfd, &self_addr);
    if let Err(e) = ret {
        perror("bind", e);
        let _ = close(listenfd);
        exit(-1);
    }
    // ANCHOR_END: bind

    // ANCHOR: listen
    //监听，设置最大连接值
    let ret_listen = listen(&listenfd, 128);
    if let Err(e) = ret_listen {
        perror("listen", e);
        let _ = close(listenfd);
        exit(-1);
    }
    // ANCHOR_END: listen

    // ANCHOR: accept
    loop {
        //阻塞等待连接
        let newconfd = match accept(&listenfd, None) {
            Ok(fd) => fd,
            Err(Errno::EINTR) => continue, //被信号打断: 再等
            Err(e) => {
                perror("accept", e);
                let _ = close(listenfd);
                exit(-1);
            }
        };
        // ANCHOR_END: accept

        // ANCHOR: fork
        //创建子进程
        // SAFETY: this program has one thread, so the child is a whole copy of it and
        // may do anything the parent could (see `fork`'s `# Safety`).
        let pid = unsafe { fork() };
        let pid = match pid {
            Ok(pid) => pid,
            Err(e) => {
                perror("fork", e);
                let _ = close(newconfd);
                continue;
            }
        };
        // ANCHOR_END: fork

        // ANCHOR: child
        if let ForkResult::Child = pid {
            //子进程: 只服务这个客户端, 不需要监听套接字
            let _ = close(listenfd);

            //读写数据: 读到多少, 写回多少
            let mut buf = [0u8; 100];
            loop {
                let n = match read(&newconfd, &mut buf) {
                    Ok(0) | Err(_) => break, // n <= 0
                    Ok(n) => n,
                };
                let _ = write(&newconfd, &buf[..n]);
            }

            //关闭套接字
            let _ = close(newconfd);
            exit(0);
        }
        // ANCHOR_END: child

        // ANCHOR: parent
        //父进程: 连接交给子进程, 自己回去accept
        let _ = close(newconfd);
    }
    // ANCHOR_END: parent
}
