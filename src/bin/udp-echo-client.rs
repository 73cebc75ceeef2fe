//! udp-echo client: the Rust twin of `c-reference/udp-echo/client.c` (notes §4.6).
//!
//! Statement for statement the C's, in the same order, with the same edits (arguments;
//! ending at the end of input). Each word of stdin is sent as one datagram, its NUL
//! included (C's `strlen(buf)+1`), and the echo is printed.
//!
//! Where it differs from the C (book: "C and Rust, where they differ"):
//! - A word of 100 characters or more: C's `scanf("%s")` writes past `buf`; here
//!   `scanf_word` stops at 99 and the rest of the word is the next message.
//!
//! Usage: `udp-echo-client [IP [PORT]]` (127.0.0.1 and 5678 by default).

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

    // ANCHOR: addr
    //send to server
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(client_port());
    server_addr.sin_addr.s_addr = inet_addr(client_ip());
    // ANCHOR_END: addr

    // ANCHOR: vars
    let mut buf = [0u8; 100];

    //receive from server
    let mut client_addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;
    // ANCHOR_END: vars

    // ANCHOR: loop
    loop {
        if scanf_word(&mut buf) == EOF {
            break;
        }
        let ret_send = sendto(&sockfd, &buf[..strlen(&buf) + 1], 0, &server_addr);
        if let Err(e) = ret_send {
            perror("sendto", e);
            let _ = close(sockfd);
            exit(-1);
        }
        bzero(&mut buf);
        let ret_rcv = recvfrom(&sockfd, &mut buf, 0, Some((&mut client_addr, &mut len))); //后两个可以直接写None
        if let Err(e) = ret_rcv {
            perror("recvfrom", e);
            let _ = close(sockfd);
            exit(-1);
        }
        printf!("%s\n", &buf);
        bzero(&mut buf);
    }
    // ANCHOR_END: loop
    // ANCHOR: close
    let _ = close(sockfd);
    // ANCHOR_END: close
}
