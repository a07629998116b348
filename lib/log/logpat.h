/*
 * logpat.h - matching one log line against a table of line patterns
 * (internal). The Oakley and charon parsers keep their knowledge of the
 * line formats in such tables, so a wrong or missing pattern costs one
 * record, never the file.
 *
 * Pattern language (letters compare without regard to case; a pattern
 * matches a prefix of the text, whatever follows is ignored):
 *   ' '  one or more blanks (spaces or tabs)
 *   %x   hexadecimal number, optional 0x prefix        -> num
 *   %d   decimal number                                 -> num
 *   %4   dotted IPv4 address, exactly four numbers 0-255, no leading zero -> addr
 *   %a   IPv4 or IPv6 address (a run of hex digits, ':' and '.') -> addr
 *   %c   8-byte cookie: 16 hex digits, optional 0x      -> cookie
 *   %p   port as 4 hex digits in little-endian memory order ("f401" = 500) -> num
 *   %w   word: up to the next blank                     -> span
 *   %s   the rest of the line                           -> span
 *   %%   a percent sign
 */
#ifndef IKS_LOGPAT_H
#define IKS_LOGPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/log.h>

#define LOGPAT_MAX_NUM 6
#define LOGPAT_MAX_ADDR 2
#define LOGPAT_MAX_SPAN 4

typedef struct logpat_out {
	uint64_t num[LOGPAT_MAX_NUM];
	unsigned nnum;
	iks_addr addr[LOGPAT_MAX_ADDR];
	unsigned naddr;
	uint8_t cookie[8];
	bool has_cookie;
	size_t span_off[LOGPAT_MAX_SPAN], span_len[LOGPAT_MAX_SPAN]; /* within the text */
	unsigned nspan;
} logpat_out;

/* One entry of a pattern table: the pattern and what a match means. */
typedef struct logpat {
	const char *pattern;
	int kind;   /* an iks_log_kind */
	int sub;    /* parser-specific detail (which header field, request/response, ...) */
} logpat;

/* Match text[0..len) against one pattern. Returns true with *o filled. */
bool logpat_match(const char *pattern, const uint8_t *text, size_t len, logpat_out *o);

/* First entry of the table that matches; its index, or -1. */
int logpat_find(const logpat *table, size_t n, const uint8_t *text, size_t len, logpat_out *o);

/* Small text helpers that read through the bounds-checked reader: length
 * without trailing blanks; count of leading blanks; prefix test; a whole
 * decimal number no larger than max. */
size_t logpat_trim(const uint8_t *text, size_t len);
size_t logpat_skip_blanks(const uint8_t *text, size_t len);
bool logpat_starts_with(const uint8_t *text, size_t len, const char *s);
bool logpat_decimal(const uint8_t *text, size_t len, uint32_t max, uint32_t *v);
/* Offset of the first s in text, or len when there is none. */
size_t logpat_find_str(const uint8_t *text, size_t len, const char *s);
/* "A:P" or "[A]:P" (the whole of w[0..n)): an IPv4/IPv6 address and a port
 * after the last colon. */
bool logpat_addr_port(const uint8_t *w, size_t n, iks_addr *a, uint16_t *port);

/* Oakley and charon tables (oakley_patterns.c, charon_patterns.c). */
extern const logpat iks_oakley_patterns[];
extern const size_t iks_oakley_npatterns;
extern const logpat iks_charon_patterns[];
extern const size_t iks_charon_npatterns;

/* pluto tables (pluto_patterns.c): debug lines ("| ") and the others;
 * the sub values say which line it is. */
enum pluto_sub {
	P_SEND = 1, P_RECV, P_PARSE_HDR, P_EMIT_HDR, P_SUSPEND, P_TRANSITION, P_V1_DROPPED,
	P_REXMIT, P_ADD_SA_FAILED, P_NO_IKE_SA, P_SENT, P_IKE_UP, P_FATAL, P_CHILD_UP,
	P_HDR_ISPI, P_HDR_RSPI, P_HDR_VERSION, P_HDR_EXCHANGE, P_HDR_FLAGS, P_HDR_MSGID,
	P_HDR_LENGTH
};
extern const logpat iks_pluto_debug_patterns[];
extern const size_t iks_pluto_ndebug_patterns;
extern const logpat iks_pluto_patterns[];
extern const size_t iks_pluto_npatterns;

/* FortiGate table (fortigate_patterns.c). */
enum fortigate_sub { F_SENT = 1, F_COMES, F_EXCH_V1, F_EXCH_V2, F_OUT, F_IN, F_FAILED };
extern const logpat iks_fortigate_patterns[];
extern const size_t iks_fortigate_npatterns;

/* racoon table (racoon_patterns.c). */
enum racoon_sub { R_OTHER = 1, R_FROM_TO, R_SENT, R_RECV, R_ISAKMP_UP, R_IPSEC_UP, R_RESEND,
		  R_FAILED, R_PEER_REXMIT };
extern const logpat iks_racoon_patterns[];
extern const size_t iks_racoon_npatterns;

/* Cisco IOS table (cisco_patterns.c). */
enum cisco_sub { C_OTHER = 1, C_V2_SEND, C_V2_RECV, C_V2_SPI, C_V2_EXCH, C_V1_SEND, C_V1_SEND_OLD,
		 C_V1_RECV, C_V1_RECV_OLD, C_REXMIT };
extern const logpat iks_cisco_patterns[];
extern const size_t iks_cisco_npatterns;

/* Name tables: exchange names as the logs print them. */
typedef struct log_exchange_name {
	const char *name;
	uint8_t version;
	uint8_t exchange;
} log_exchange_name;
extern const log_exchange_name iks_oakley_exchanges[];
extern const size_t iks_oakley_nexchanges;
extern const log_exchange_name iks_charon_exchanges[];
extern const size_t iks_charon_nexchanges;
extern const log_exchange_name iks_pluto_exchanges[];
extern const size_t iks_pluto_nexchanges;
extern const log_exchange_name iks_fortigate_exchanges[];
extern const size_t iks_fortigate_nexchanges;
extern const log_exchange_name iks_cisco_exchanges[];
extern const size_t iks_cisco_nexchanges;

/* Look a name (text[0..len), case-insensitive, exact) up; NULL if absent. */
const log_exchange_name *log_exchange_lookup(const log_exchange_name *t, size_t n,
					     const uint8_t *text, size_t len);

#endif
