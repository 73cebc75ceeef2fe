/* layout.c: the C compiler's and glibc's answers about the structs, types, constants
 * and messages that socklab mirrors, for tests/sockaddr.rs.
 *
 * Output: one `name value` per line, the name without spaces, the value up to the end of
 * the line (only the strerror messages have spaces in them). Names:
 *
 *   size.T  align.T          sizeof(T), _Alignof(T), for a struct or a type
 *   offset.T.f  size.T.f     offsetof(T, f), sizeof(((T *)0)->f), for every field f
 *   const.NAME               a constant's value, in decimal, as C's type prints it
 *   signed.T                 1 if the integer type T is signed, 0 if not
 *   errno.NAME  strerror.NAME  an errno value and glibc's message for it
 *   bytes.NAME               the bytes of a struct, in memory order, two hex digits each
 *
 * The Rust test reads every name it expects and fails on a missing one, so a name
 * misspelt here is a failure there, not a check skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The header's macros, which is what a student's program uses: check that we test them. */
#if !defined(htons) || !defined(htonl)
#error "htons/htonl are not macros here: compile with optimisation (-O2), as CFlavor::Plain does"
#endif

#define STRUCT(T) printf("size.%s %zu\nalign.%s %zu\n", #T, sizeof(struct T), #T, _Alignof(struct T))
#define FIELD(T, f)                                                                        \
    printf("offset.%s.%s %zu\nsize.%s.%s %zu\n", #T, #f, offsetof(struct T, f), #T, #f,     \
           sizeof(((struct T *)0)->f))
/* (T)-1 is the type's largest value if it is unsigned, and -1, below 0, if it is signed
 * (written with `>`, as `< 0` is "always false" for unsigned types to -Wextra). */
#define TYPE(T)                                                                            \
    printf("size.%s %zu\nalign.%s %zu\nsigned.%s %d\n", #T, sizeof(T), #T, _Alignof(T), #T, \
           !((T)-1 > (T)0))
/* Every constant is printed through `long long`, so a negative one (EOF) stays negative
 * and an unsigned 32-bit one (INADDR_NONE) stays positive. */
#define CONST(NAME) printf("const.%s %lld\n", #NAME, (long long)(NAME))
#define ERRNO(NAME) printf("errno.%s %d\nstrerror.%s %s\n", #NAME, NAME, #NAME, strerror(NAME))

static void print_bytes(const char *name, const void *p, size_t n)
{
    const unsigned char *b = p;
    printf("bytes.%s ", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

int main(void)
{
    STRUCT(sockaddr_in);
    FIELD(sockaddr_in, sin_family);
    FIELD(sockaddr_in, sin_port);
    FIELD(sockaddr_in, sin_addr);
    FIELD(sockaddr_in, sin_zero);

    STRUCT(in_addr);
    FIELD(in_addr, s_addr);

    /* s6_addr is a macro for __in6_u.__u6_addr8, a member of a union that also holds
     * uint16_t[8] and uint32_t[4] views: the union gives the struct their alignment. */
    STRUCT(in6_addr);
    FIELD(in6_addr, s6_addr);

    STRUCT(sockaddr);
    FIELD(sockaddr, sa_family);
    FIELD(sockaddr, sa_data);

    TYPE(sa_family_t);
    TYPE(in_port_t);
    TYPE(in_addr_t);
    TYPE(socklen_t);

    CONST(AF_INET);
    CONST(AF_INET6);
    CONST(AF_UNIX);
    CONST(AF_PACKET);
    CONST(SOCK_STREAM);
    CONST(SOCK_DGRAM);
    CONST(SOCK_RAW);
    CONST(SOCK_CLOEXEC);
    CONST(SOCK_NONBLOCK);
    CONST(IPPROTO_TCP);
    CONST(IPPROTO_UDP);
    CONST(INADDR_ANY);
    CONST(INADDR_LOOPBACK);
    CONST(INADDR_BROADCAST);
    CONST(INADDR_NONE);
    CONST(MSG_DONTWAIT);
    CONST(MSG_PEEK);
    CONST(MSG_TRUNC);
    CONST(EOF);

    ERRNO(EINVAL);
    ERRNO(EADDRINUSE);
    ERRNO(EACCES);
    ERRNO(EAGAIN);

    /* The notes' three lines (§4.4.5), on a struct cleared first: C leaves a local
     * uninitialised, and sin_zero's bytes would be whatever was on the stack. */
    struct sockaddr_in server_addr;
    memset(&server_addr, 0, sizeof(server_addr));
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(5678);
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    print_bytes("notes_sockaddr_in_5678_loopback", &server_addr, sizeof(server_addr));

    memset(&server_addr, 0, sizeof(server_addr));
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons(5678);
    server_addr.sin_addr.s_addr = htonl(INADDR_ANY);
    print_bytes("notes_sockaddr_in_5678_any", &server_addr, sizeof(server_addr));

    return ferror(stdout) ? 1 : 0;
}
