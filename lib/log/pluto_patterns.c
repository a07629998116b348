/*
 * pluto_patterns.c - the lines of libreswan pluto logs that matter for
 * joining a log to a capture (data). Written from the logs of a real
 * pluto 4.10 (Debian 4.10-2+deb12u1) made by scripts/lab-logs.sh
 * (captures/logs21_pluto_*), plutodebug=all and the default level; see
 * logpat.h for the pattern language. Matched against the text after
 * "TIME: " and, for debug lines, after their "| "; first match wins.
 */
#include "config.h"

#include "log/logpat.h"

/* Debug lines ("| " after the time, plutodebug=all). */
const logpat iks_pluto_debug_patterns[] = {
	/* num: bytes (on port 4500 with the non-ESP marker); the addresses are
	 * read by plutolog.c from "from A:P to B:Q" further on the line */
	{ "sending %d bytes for ", IKS_LK_SEND, P_SEND },
	/* num: bytes (the IKE message, no marker); words: from, iface, local */
	{ "*received %d bytes from %w on %w %w", IKS_LK_RECV, P_RECV },
	{ "**parse ISAKMP Message:", IKS_LK_HEADER, P_PARSE_HDR },
	{ "**emit ISAKMP Message:", IKS_LK_HEADER, P_EMIT_HDR },
	/* the fields of those blocks (only read inside one): SPIs as spaced
	 * bytes; exchange and flags with their value in "(0x..)"; the message
	 * ID in decimal; the length (parse only) ends the block */
	{ " initiator SPI: %s", IKS_LK_ICOOKIE, P_HDR_ISPI },
	{ " responder SPI: %s", IKS_LK_RCOOKIE, P_HDR_RSPI },
	{ " ISAKMP version: %s", IKS_LK_HEADER, P_HDR_VERSION },
	{ " exchange type: %s", IKS_LK_EXCHANGE, P_HDR_EXCHANGE },
	{ " flags: %s", IKS_LK_FLAGS, P_HDR_FLAGS },
	{ " Message ID: %d", IKS_LK_MSGID, P_HDR_MSGID },
	{ " length: %d", IKS_LK_HEADER, P_HDR_LENGTH },
	/* a message parked for a crypto helper: the "IKEv1 packet dropped"
	 * that follows does not mean it was discarded */
	{ "complete v1 state transition with STF_SUSPEND", IKS_LK_STATE, P_SUSPEND },
	{ "complete v1 state transition with %w", IKS_LK_STATE, P_TRANSITION },
	{ "IKEv1 packet dropped", IKS_LK_DROPPED, P_V1_DROPPED },
};
const size_t iks_pluto_ndebug_patterns =
	sizeof(iks_pluto_debug_patterns) / sizeof(iks_pluto_debug_patterns[0]);

/* Lines at the default level, after an optional "ERROR: " and the
 * connection and state ("\"conn\" #N: "), which plutolog.c takes off. */
const logpat iks_pluto_patterns[] = {
	/* span: state name */
	{ "%w retransmission; will wait %s", IKS_LK_RETRANSMIT, P_REXMIT }, /* %w ends in ":" */
	{ "netlink response for Add SA %s", IKS_LK_FAILED, P_ADD_SA_FAILED },
	/* spans: "A:P:" (a word takes the colon), "request" or "response" (both
	 * seen: pluto_pluto_v2_pluto_a.log drops the response to its own Delete,
	 * its IKE SA already gone) */
	{ "packet from %w INFORMATIONAL %w has no corresponding IKE SA; message dropped",
	  IKS_LK_DROPPED, P_NO_IKE_SA },
	/* span: exchange name */
	{ "sent %w request", IKS_LK_STATE, P_SENT },
	{ "initiator established IKE SA%s", IKS_LK_IKE_UP, P_IKE_UP },
	{ "CHILD SA encountered fatal error%s", IKS_LK_FAILED, P_FATAL },
	{ "encountered fatal error%s", IKS_LK_FAILED, P_FATAL },
};
const size_t iks_pluto_npatterns = sizeof(iks_pluto_patterns) / sizeof(iks_pluto_patterns[0]);

/* Exchange names as pluto prints them in "sent NAME request". */
const log_exchange_name iks_pluto_exchanges[] = {
	{ "IKE_SA_INIT", 2, 34 },
	{ "IKE_AUTH", 2, 35 },
	{ "CREATE_CHILD_SA", 2, 36 },
	{ "INFORMATIONAL", 2, 37 },
	{ "IKE_INTERMEDIATE", 2, 43 },
};
const size_t iks_pluto_nexchanges = sizeof(iks_pluto_exchanges) / sizeof(iks_pluto_exchanges[0]);
