//! tcp-hello server: the Rust twin of `c-reference/tcp-hello/server.c` (notes §5.4).
//!
//! Statement for statement the C's, in the same order, with the same edit (arguments).
//! Accepts one client, reads once (up to 100 bytes), prints it, closes both sockets.
//!
//! Usage: `tcp-hello-server [PORT]` (5678 by default).

use socklab::apue::*;

fn main() {
    // ANCHOR: sigpipe
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it.
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
    let ret_listen = listen(&listenfd, 5);
    if let Err(e) = ret_listen {
        perror("listen", e);
        let _ = close(listenfd);
        exit(-1);
    }
    // ANCHOR_END: listen

    // ANCHOR: accept
    //阻塞等待连接
    let newconfd = match accept(&listenfd, None) {
        Ok(fd) => fd,
        Err(e) => {
            perror("accept", e);
            let _ = close(listenfd);
            exit(-1);
        }
    };
    // ANCHOR_END: accept

    // ANCHOR: read
    //读写数据
    let mut buf = [0u8; 100];
    let _ = read(&newconfd, &mut buf);
    printf!("read: %s\n", &buf);
    // ANCHOR_END: read

    // ANCHOR: close
    //关闭套接字
    let _ = close(listenfd);
    let _ = close(newconfd);
    // ANCHOR_END: close
}
