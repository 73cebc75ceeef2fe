//! udp-echo server: the Rust twin of `c-reference/udp-echo/server.c` (notes §4.6).
//!
//! Statement for statement the C's, in the same order, with the same edit (arguments).
//! Every datagram is printed and sent back to its sender; the server never ends, and is
//! stopped by a signal.
//!
//! Where it differs from the C (book: "C and Rust, where they differ"):
//! - A 100-byte datagram fills `buf` with no NUL. C's `printf("%s")` reads on past the
//!   array; `printf!` here stops at its end.
//!
//! Usage: `udp-echo-server [PORT]` (5678 by default).

use socklab::apue::*;

fn main() {
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it.
    let _ = signal(SIGPIPE, SIG_DFL);

    // ANCHOR: socket
    //创建套接字
    let sockfd = match socket(AF_INET, SOCK_DGRAM, 0) {
        Ok(fd) => fd,
        Err(e) => {
            perror("socket", e);
            exit(-1);
        }
    };
    // ANCHOR_END: socket

    // ANCHOR: bind
    //bind绑定
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(server_port());
    server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
    let ret = bind(&sockfd, &server_addr);
    if let Err(e) = ret {
        perror("bind", e);
        let _ = close(sockfd);
        exit(-1);
    }
    // ANCHOR_END: bind

    // ANCHOR: vars
    //从client接收
    let mut client_addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;
    let mut buf = [0u8; 100];
    // ANCHOR_END: vars

    // ANCHOR: loop
    loop {
        let ret_rcv = match recvfrom(&sockfd, &mut buf, 0, Some((&mut client_addr, &mut len))) {
            Ok(n) => n,
            Err(e) => {
                perror("recvfrom", e);
                let _ = close(sockfd);
                exit(-1);
            }
        };

        printf!("recv: %s\n", &buf);

        //发回给client
        let ret_send = sendto(&sockfd, &buf[..ret_rcv], 0, &client_addr);
        if let Err(e) = ret_send {
            perror("sendto", e);
            let _ = close(sockfd);
            exit(-1);
        }

        bzero(&mut buf);
    }
    // ANCHOR_END: loop

    // ANCHOR: close
    // The C's `close(sockfd);` after its `while(1)` is never reached; Rust, which knows
    // `loop` without `break` never ends, would warn of unreachable code. The socket is
    // closed by the kernel when the process is killed.
    // ANCHOR_END: close
}
