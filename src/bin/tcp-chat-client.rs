//! tcp-chat client: the Rust twin of `c-reference/tcp-chat/client.c` (notes §6.2).
//!
//! Statement for statement the C's, in the same order, with the same edits (arguments;
//! the fork error path's `exit(-1)`, joined back; the child ends at the end of its
//! input). Connects, then forks: the child reads words from stdin and writes each to the
//! connection with its NUL (`strlen(buf)+1` bytes); the parent reads the connection and
//! prints each message with `puts`, both at once.
//!
//! As in the C, and on purpose (the book's errata, each tested in `tests/chat.rs`):
//! - the parent never looks at what `read` returns: once the server has gone, `read`
//!   returns 0 at once, forever, and the parent prints empty lines until it is killed;
//! - nobody waits for the child: when its input ends it exits and stays a zombie.
//!
//! Where it differs from the C (book: "C and Rust, where they differ"):
//! - A word of 100 characters or more: C's `scanf("%s")` writes past `buf`; here
//!   `scanf_word` stops at 99 and the rest of the word is the next message.
//!
//! Usage: `tcp-chat-client [IP [PORT]]` (127.0.0.1 and 5678 by default).

use socklab::apue::*;

fn main() {
    // ANCHOR: sigpipe
    // A C program starts with SIGPIPE at its default; Rust's runtime ignores it.
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

    // ANCHOR: connect
    let mut server_addr = sockaddr_in::default();
    server_addr.sin_family = AF_INET as sa_family_t;
    server_addr.sin_port = htons(client_port());
    server_addr.sin_addr.s_addr = inet_addr(client_ip());

    // The C's `socklen_t len = sizeof(server_addr);`, connect's third argument: here
    // `connect` takes the size from the address it is given.
    let ret = connect(&sockfd, &server_addr);
    if let Err(e) = ret {
        perror("connect", e);
        let _ = close(sockfd);
        exit(-1);
    }
    // ANCHOR_END: connect

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
            let _ = write(&sockfd, &buf[..strlen(&buf) + 1]);
            bzero(&mut buf);
        },
        // ANCHOR_END: child
        // ANCHOR: parent
        Ok(ForkResult::Parent { .. }) => loop {
            let _ = read(&sockfd, &mut buf);
            puts(&buf);
            bzero(&mut buf);
        },
        // ANCHOR_END: parent
        // ANCHOR: fork-error
        Err(e) => {
            perror("fork", e);
            let _ = close(sockfd);
            exit(-1);
        }
    }
    // ANCHOR_END: fork-error

    // ANCHOR: end
    // Only the child gets here, at the end of its input (edit 3). The C's main ends here
    // and returns 0: exit(0), and the kernel closes the socket as the process goes.
    // Returning from Rust's main would first drop `sockfd`, a close call the C does not
    // make; so exit here, as the C does.
    exit(0);
    // ANCHOR_END: end
}
