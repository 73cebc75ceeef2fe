//! tcp-echo client: the Rust twin of `c-reference/tcp-echo/client.c` (notes §5.5).
//!
//! Statement for statement the C's, in the same order, with the same edits (arguments;
//! ending at the end of input). Each word of stdin is written as the whole 100-byte
//! buffer, and what one `read` returns is printed with `puts`.
//!
//! Where it differs from the C (book: "C and Rust, where they differ"):
//! - A word of 100 characters or more: C's `scanf("%s")` writes past `buf`; here
//!   `scanf_word` stops at 99 and the rest of the word is the next message.
//!
//! Usage: `tcp-echo-client [IP [PORT]]` (127.0.0.1 and 5678 by default).

use socklab::apue::*;

fn main() {
    // ANCHOR: sigpipe
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it.
    let _ = signal(SIGPIPE, SIG_DFL);
    // ANCHOR_END: sigpipe

    // ANCHOR: socket
    //创建套接字
    let sockfd = match socket(AF_INET, SOCK_STREAM, 0) {
        Ok(fd) => fd,
        Err(e) => {
            perror("socket", e);
            exit(-1);
        }
    };
    // ANCHOR_END: socket

    // ANCHOR: connect
    //发起三次握手连接

    //服务器端地址信息
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(client_port());
    server_addr.sin_addr.s_addr = inet_addr(client_ip());

    let ret = connect(&sockfd, &server_addr);
    if let Err(e) = ret {
        perror("connect", e);
        let _ = close(sockfd);
        exit(-1);
    }
    // ANCHOR_END: connect

    // ANCHOR: loop
    //读写数据
    let mut buf = [0u8; 100];
    loop {
        if scanf_word(&mut buf) == EOF {
            break;
        }
        let _ = write(&sockfd, &buf);
        bzero(&mut buf);
        let _ = read(&sockfd, &mut buf);
        puts(&buf);
    }
    // ANCHOR_END: loop

    // ANCHOR: close
    //关闭套接字
    let _ = close(sockfd);
    // ANCHOR_END: close
}
