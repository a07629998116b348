/* text.h - the text pieces the readers of key files, IKE logs and audit
 * exports share (internal): hex digits, hex strings to bytes, IP addresses
 * in text. All functions read only s[0..n), need no NUL, keep no state and
 * are thread-safe. */
#ifndef IKS_TEXT_H
#define IKS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/packet.h>

/* 0-15 for a hex digit (either case), -1 for anything else. */
int text_hexval(int c);

/* The n hex digits s[0..n) (no "0x"; n even) as n/2 bytes into out, which
 * holds cap. Returns the byte count, or -1 when n is odd, n/2 > cap or a
 * character is not a hex digit (out may then be partly written). */
int text_hex_bytes(const char *s, size_t n, uint8_t *out, size_t cap);

/* A dotted-quad IPv4 address at the start of s[0..n): exactly four decimal
 * numbers 0-255 of one to three digits, no leading zero ("010" is
 * refused, "0" is not), separated by single dots. Returns how many
 * characters it used (7 to 15) with *a set, or 0 with *a untouched.
 * What follows the fourth number is not looked at ("192.0.2.1.500"
 * gives 9), so callers that want the whole text check the count. */
size_t text_ipv4_prefix(const char *s, size_t n, iks_addr *a);

/* Whether s[0..n) is exactly one IPv4 address (as above) or one IPv6
 * address (RFC 4291 section 2.2: "::" once, an IPv4 tail in the last 32
 * bits, no zone, shorter than IKS_ADDRSTRLEN). Sets *a (family 4 or 6,
 * unused bytes zero) when it is; *a is zeroed when it is not. */
bool text_ip(const char *s, size_t n, iks_addr *a);

#endif
