//! fork-echo server: the Rust twin of `c-reference/fork-echo/server.c` (beyond the notes).
//!
//! Statement for statement the C's, in the same order: a TCP echo server that forks one
//! child per client, and reaps its children with a `SIGCHLD` handler that loops on
//! `waitpid(-1, WNOHANG)`. Why each line is there is in the C file's header; in short:
//!
//! - `sig_chld` is the C's handler, here an `extern "C" fn` (the library has the same
//!   function as `socklab::process::reap_children`; the twin spells it out, as the C
//!   does). It runs in signal context, so it does only what is async-signal-safe:
//!   `waitpid`, and saving and restoring `errno`.
//! - It is installed with `SA_RESTART`, and `accept` failing with `EINTR` still goes round
//!   the loop again, for systems that do not restart it.
//! - After `fork`, the child closes `listenfd` and serves one client; the parent closes
//!   `newconfd` and goes back to `accept`.
//! - The child reads until `read` returns 0 (or fails) and writes back what it read,
//!   `&buf[..n]`, not the whole buffer.
//!
//! `fork` is safe to call here because this program is single-threaded: see the
//! `# Safety` section of `socklab::process::fork`.
//!
//! Usage: `fork-echo-server [PORT]` (5678 by default).

use socklab::apue::*;

// ANCHOR: sig_chld
//SIGCHLD信号处理函数: 回收所有已结束的子进程
extern "C" fn sig_chld(_signo: c_int) {
    let saved_errno = Errno::last_raw();
    while matches!(waitpid(-1, WNOHANG), Ok((pid, _)) if pid > 0) {}
    Errno::set_raw(saved_errno);
}
// ANCHOR_END: sig_chld

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

    // ANCHOR: sigaction
    //注册SIGCHLD信号处理函数, 被打断的accept自动重启
    // SAFETY: sig_chld calls only waitpid (async-signal-safe, and our `waitpid` wrapper
    // neither allocates nor locks) and saves and restores errno; it cannot panic.
    let ret_sig = unsafe { sigaction(SIGCHLD, sig_chld, SA_RESTART) };
    if let Err(e) = ret_sig {
        perror("sigaction", e);
        let _ = close(listenfd);
        exit(-1);
    }
    // ANCHOR_END: sigaction

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
