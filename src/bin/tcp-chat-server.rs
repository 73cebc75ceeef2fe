//! tcp-chat server: the Rust twin of `c-reference/tcp-chat/server.c` (notes §6.2).
//!
//! Statement for statement the C's, in the same order, with the same edits (arguments;
//! the child ends at the end of its input). Accepts one client, then forks: the child
//! reads words from stdin and writes each to the connection with its NUL
//! (`strlen(buf)+1` bytes); the parent reads the connection and prints each message with
//! `puts`. The two loops run at once, in two processes: that is the notes' "并发".
//!
//! As in the C, and on purpose (the book's errata, each tested in `tests/chat.rs`):
//! - the parent never looks at what `read` returns: once the client has gone, `read`
//!   returns 0 at once, forever, and the parent prints empty lines until it is killed;
//! - nobody waits for the child: when its input ends it exits and stays a zombie;
//! - `listen`'s result is not checked.
//!
//! Usage: `tcp-chat-server [PORT]` (5678 by default).

use socklab::apue::*;

fn main() {
    // ANCHOR: sigpipe
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it. The child
    // writes to the connection: if the client has gone, the C child dies of SIGPIPE, and
    // so must this one.
    let _ = signal(SIGPIPE, SIG_DFL);
    // ANCHOR_END: sigpipe

    // ANCHOR: socket
    let sockfd = match socket(AF_INET, SOCK_STREAM, 0) {
        Ok(fd) => fd,
        Err(e) => {
            perror("socket", e);
            exit(-1);
        }
    };
    // ANCHOR_END: socket

    // ANCHOR: bind
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

    // ANCHOR: listen
    let _ = listen(&sockfd, 10);
    // ANCHOR_END: listen

    // ANCHOR: accept
    let mut client_addr = sockaddr_in::default();
    let mut len = size_of::<sockaddr_in>() as socklen_t;
    let newconfd = match accept(&sockfd, Some((&mut client_addr, &mut len))) {
        Ok(fd) => fd,
        Err(e) => {
            perror("accept", e);
            let _ = close(sockfd);
            // The C's `close(newconfd);` here closes -1 (accept's failure), which fails
            // with EBADF and does nothing. In Rust there is no descriptor to close.
            exit(-1);
        }
    };
    // ANCHOR_END: accept

    // ANCHOR: fork
    let mut buf = [0u8; 100];
    // Nothing has been printed yet, so no output waits in a stdio buffer to be copied
    // into the child and printed twice (C's stdout is block-buffered into a pipe; Rust's
    // is line-buffered, and a whole line would have gone out already).
    //
    // SAFETY: this process is single-threaded, as the notes' C is: the child is a whole
    // copy of it, with no lock held by a thread that fork left behind, so it may do
    // anything the parent could (see `socklab::process::fork`).
    let fd = unsafe { fork() };
    // ANCHOR_END: fork
    match fd {
        // ANCHOR: child
        Ok(ForkResult::Child) => loop {
            if scanf_word(&mut buf) == EOF {
                break;
            }
            let _ = write(&newconfd, &buf[..strlen(&buf) + 1]);
            bzero(&mut buf);
        },
        // ANCHOR_END: child
        // ANCHOR: parent
        Ok(ForkResult::Parent { .. }) => loop {
            let _ = read(&newconfd, &mut buf);
            puts(&buf);
            bzero(&mut buf);
        },
        // ANCHOR_END: parent
        // ANCHOR: fork-error
        Err(e) => {
            perror("fork", e);
            let _ = close(sockfd);
            let _ = close(newconfd);
            exit(-1);
        }
    }
    // ANCHOR_END: fork-error

    // ANCHOR: end
    // Only the child gets here, at the end of its input (edit 3). The C's main ends here
    // and returns 0: exit(0), and the kernel closes the descriptors as the process goes.
    // Returning from Rust's main would first drop `sockfd` and `newconfd`, two close
    // calls the C does not make; so exit here, as the C does.
    exit(0);
    // ANCHOR_END: end
}
