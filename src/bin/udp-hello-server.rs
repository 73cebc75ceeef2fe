//! udp-hello server: the Rust twin of `c-reference/udp-hello/server.c` (notes §4.5).
//!
//! Statement for statement the C's, in the same order, with the same edits (arguments,
//! and §4.4.6.1's lines that print the sender and the message). Receives one datagram,
//! prints who sent it and what it says, and ends.
//!
//! Usage: `udp-hello-server [PORT]` (5678 by default).

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
    printf!("sockfd %d\n", sockfd.as_raw_fd());
    // ANCHOR_END: socket

    // ANCHOR: bind
    // ANCHOR: fill
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(server_port());
    server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
    // ANCHOR_END: fill

    let my_bind = bind(&sockfd, &server_addr);
    if let Err(e) = my_bind {
        perror("bind", e);
        let _ = close(sockfd);
        exit(-1);
    }
    // ANCHOR_END: bind

    // ANCHOR: recvfrom
    let mut buf = [0u8; 100];
    let mut snd_addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;

    let ret = recvfrom(&sockfd, &mut buf, 0, Some((&mut snd_addr, &mut len)));

    if let Err(e) = ret {
        perror("recvfrom", e);
        let _ = close(sockfd);
        exit(-1);
    }
    printf!("%s\n", &inet_ntoa(snd_addr.sin_addr));
    printf!("say: %s\n", &buf);
    // ANCHOR_END: recvfrom
    // ANCHOR: close
    let _ = close(sockfd);
    // ANCHOR_END: close
}
