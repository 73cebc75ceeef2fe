//! udp-hello client: the Rust twin of `c-reference/udp-hello/client.c` (notes §4.5).
//!
//! Statement for statement the C's, in the same order, with the same edit (arguments).
//! Sends one datagram, "hello world" and its NUL (12 bytes, C's `sizeof(buf)`), and ends.
//!
//! Usage: `udp-hello-client [IP [PORT]]` (127.0.0.1 and 5678 by default).

use socklab::apue::*;

fn main() {
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it.
    let _ = signal(SIGPIPE, SIG_DFL);

    // ANCHOR: socket
    let sockfd = match socket(AF_INET, SOCK_DGRAM, 0) {
        Ok(fd) => fd,
        Err(e) => {
            perror("socket", e);
            exit(-1);
        }
    };
    // ANCHOR_END: socket

    // ANCHOR: addr
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(client_port());
    server_addr.sin_addr.s_addr = inet_addr(client_ip());
    // ANCHOR_END: addr

    // ANCHOR: sendto
    let buf = b"hello world\0";

    let ret = sendto(&sockfd, buf, 0, &server_addr);

    if let Err(e) = ret {
        perror("sendto", e);
        let _ = close(sockfd);
        exit(-1);
    }
    // ANCHOR_END: sendto
    // ANCHOR: close
    let _ = close(sockfd);
    // ANCHOR_END: close
}
