/*
 * oakley_patterns.c - the line patterns of Windows Oakley.log (data).
 *
 * RECONSTRUCTED, NOT CONFIRMED: no public description or verbatim sample
 * of the Oakley.log line format exists (docs/logs.md). Each entry is
 * matched against the text after the "M-D: HH:MM:SS:mmm:TID " prefix with
 * leading blanks removed; the first entry that matches wins. To fix or add
 * a pattern, edit this table only (the language is described in logpat.h).
 * Field order in each pattern is what oakley.c reads (num[], addr[]).
 */
#include "config.h"

#include "log/logpat.h"

enum { SUB_NONE = 0, SUB_MM = 1, SUB_QM = 2 };

const logpat iks_oakley_patterns[] = {
	/* num: SA handle, type, port; addr: peer */
	{ "Sending: SA = 0x%x to %4:Type %d.%d", IKS_LK_SEND, SUB_NONE },
	/* tolerated variant without the type */
	{ "Sending: SA = 0x%x to %4.%d", IKS_LK_SEND, 1 },
	/* num: SA handle, port; addr: peer */
	{ "Receive: (get) SA = 0x%x from %4.%d", IKS_LK_RECV, SUB_NONE },
	{ "Receive: SA = 0x%x from %4.%d", IKS_LK_RECV, SUB_NONE },
	/* num: major, minor, length */
	{ "ISAKMP Header: (V%d.%d), len = %d", IKS_LK_HEADER, SUB_NONE },
	{ "I_COOKIE %c", IKS_LK_ICOOKIE, SUB_NONE },
	{ "R_COOKIE %c", IKS_LK_RCOOKIE, SUB_NONE },
	{ "exchange: %s", IKS_LK_EXCHANGE, SUB_NONE },
	{ "flags: %x", IKS_LK_FLAGS, SUB_NONE },
	{ "next payload: %s", IKS_LK_NEXT_PAYLOAD, SUB_NONE },
	{ "message ID: %x", IKS_LK_MSGID, SUB_NONE },
	/* num: source port, destination port (printed little-endian) */
	{ "Ports S:%p D:%p", IKS_LK_PORTS, SUB_NONE },
	/* num: op, src port, dst port; addr: src, dst */
	{ "Acquire from driver: op=%x src=%4.%d dst=%4.%d", IKS_LK_ACQUIRE, SUB_NONE },
	{ "Filter to match: Src %4 Dst %4", IKS_LK_FILTER, SUB_NONE },
	/* num: sa, centry, status */
	{ "ProcessFailure: sa:%x centry:%x status:%x", IKS_LK_FAILURE, SUB_NONE },
	{ "isadb_set_status sa:%x centry:%x status %x", IKS_LK_FAILURE, SUB_NONE },
	/* num: sa, status */
	{ "SA Dead. sa:%x status:%x", IKS_LK_DEAD, SUB_NONE },
	{ "MM PolicyName: %s", IKS_LK_POLICY, SUB_MM },
	{ "QM PolicyName: %s", IKS_LK_POLICY, SUB_QM },
};
const size_t iks_oakley_npatterns = sizeof(iks_oakley_patterns) / sizeof(iks_oakley_patterns[0]);

/* The exchange names Oakley.log prints (reconstructed), with the ISAKMP
 * exchange type numbers of RFC 2408 section 3.1 / RFC 2409. */
const log_exchange_name iks_oakley_exchanges[] = {
	{ "Oakley Main Mode", 1, 2 },
	{ "Oakley Aggressive Mode", 1, 4 },
	{ "ISAKMP Informational Exchange", 1, 5 },
	{ "Oakley Quick Mode", 1, 32 },
};
const size_t iks_oakley_nexchanges = sizeof(iks_oakley_exchanges) / sizeof(iks_oakley_exchanges[0]);
