/* byteorder.c: C's htons, ntohs, htonl, ntohl, for tests/byteorder.rs.
 *
 * Each is printed two ways: `htons(x)` as the student writes it, which glibc's
 * <netinet/in.h> (included by <arpa/inet.h>) turns into the macro `__bswap_16 (x)` when
 * compiling with optimisation, and `(htons)(x)`, whose parentheses stop the macro and
 * call glibc's exported function.
 *
 * Output, one line per conversion, all numbers in decimal:
 *
 *   htons X MACRO FUNCTION      for every X from 0 to 65535, then
 *   ntohs X MACRO FUNCTION      for every X from 0 to 65535, then
 *   htonl X MACRO FUNCTION
 *   ntohl X MACRO FUNCTION      for every X read from stdin (decimal, one a line, in
 *                               order), then
 *   end COUNT                   the number of stdin values read: a reader that lost
 *                               lines would see a different count.
 *
 * A stdin line that is not a number from 0 to 4294967295 is an error: a message on
 * stderr and exit status 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The point of this oracle is the header's macros: fail to build if they are not. */
#if !defined(htons) || !defined(ntohs) || !defined(htonl) || !defined(ntohl)
#error "the byte-order macros are not defined: compile with optimisation (-O2), as CFlavor::Plain does"
#endif

int main(void)
{
    for (uint32_t x = 0; x <= 0xffff; x++)
        printf("htons %" PRIu32 " %u %u\n", x, htons((uint16_t)x), (htons)((uint16_t)x));
    for (uint32_t x = 0; x <= 0xffff; x++)
        printf("ntohs %" PRIu32 " %u %u\n", x, ntohs((uint16_t)x), (ntohs)((uint16_t)x));

    char line[64];
    unsigned long count = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(line, &end, 10);
        if (end == line || (*end != '\n' && *end != '\0') || errno != 0 || v > UINT32_MAX ||
            line[0] == '-') {
            fprintf(stderr, "byteorder: not a u32: %s\n", line);
            return 2;
        }
        uint32_t x = (uint32_t)v;
        printf("htonl %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", x, htonl(x), (htonl)(x));
        printf("ntohl %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", x, ntohl(x), (ntohl)(x));
        count++;
    }
    if (ferror(stdin)) {
        perror("byteorder: stdin");
        return 2;
    }
    printf("end %lu\n", count);
    return ferror(stdout) ? 1 : 0;
}
