/*
 * charon_patterns.c - the lines of strongSwan charon logs that matter for
 * joining a log to a capture (data). Matched against the text after
 * "HH:MM:SS TT[GRP] "; first match wins. Written from the logs in
 * captures/NAME_charon_a.log and _b.log (strongSwan 5.9.8, ike=4, chd=4, net/enc
 * default levels) and from the net=3/enc=3 logs of scripts/lab-logs.sh
 * (captures/logs21_*); see logpat.h for the pattern language.
 */
#include "config.h"

#include "log/logpat.h"

enum { SUB_REQUEST = 0, SUB_RESPONSE = 1, SUB_SEND = 1, SUB_RECV = 2 };

const logpat iks_charon_patterns[] = {
	/* worker thread, one line per IKE message or fragment: addr from, to;
	 * num: from port, to port, bytes (the IKE message, without the
	 * non-ESP marker) */
	{ "sending packet: from %a[%d] to %a[%d] (%d bytes)", IKS_LK_SEND, 0 },
	{ "received packet: from %a[%d] to %a[%d] (%d bytes)", IKS_LK_RECV, 0 },
	/* sender/receiver threads: every datagram on the socket (ESP too) */
	{ "sending packet: from %a[%d] to %a[%d]", IKS_LK_SOCKET, SUB_SEND },
	{ "received packet: from %a[%d] to %a[%d]", IKS_LK_SOCKET, SUB_RECV },
	/* net=3: the receiver thread's dump of a datagram, enc=3: a generated
	 * message (sub: 1 received datagram, 2 generated); num: bytes */
	{ "received packet => %d bytes @", IKS_LK_DUMP, 1 },
	{ "generated data of this generator => %d bytes @", IKS_LK_DUMP, 2 },
	/* span: exchange name, payload list; num: message ID */
	{ "generating %w request %d [%s", IKS_LK_GENERATE, SUB_REQUEST },
	{ "generating %w response %d [%s", IKS_LK_GENERATE, SUB_RESPONSE },
	{ "parsed %w request %d [%s", IKS_LK_PARSED, SUB_REQUEST },
	{ "parsed %w response %d [%s", IKS_LK_PARSED, SUB_RESPONSE },
	{ "parsed a %w %s", IKS_LK_PARSED_HEADER, 0 },
	/* num: count, message ID */
	{ "retransmit %d of request with message ID %d", IKS_LK_RETRANSMIT, 0 },
	/* IKEv1 (its task manager): num: count, message ID, sequence number;
	   "request" or "response" */
	{ "sending retransmit %d of %w message ID %d, seq %d", IKS_LK_RETRANSMIT, 0 },
	{ "received retransmit of request with ID %d, retransmitting response",
	  IKS_LK_RETRANSMIT, 1 },
	{ "giving up after %d retransmits", IKS_LK_GIVE_UP, 0 },
	/* num: bytes, fragments */
	{ "splitting IKE message (%d bytes) into %d fragments", IKS_LK_SPLIT, 0 },
	/* num: fragment number, bytes */
	{ "received fragment #%d, reassembled fragmented IKE message (%d bytes)",
	  IKS_LK_REASSEMBLED, 0 },
	/* span: name{N}; num: inbound SPI, outbound SPI */
	{ "CHILD_SA %w established with SPIs %x_i %x_o", IKS_LK_CHILD_SPIS, 0 },
	{ "IKE_SA %w established between %s", IKS_LK_IKE_UP, 0 },
	{ "establishing IKE_SA failed%s", IKS_LK_FAILED, 0 },
	/* libipsec (kernel-libipsec plugin): an inbound ESP packet discarded */
	{ "ESP decryption or ICV verification failed", IKS_LK_ICV_FAILED, 0 },
	{ "establishing CHILD_SA %w failed%s", IKS_LK_FAILED, 0 },
};
const size_t iks_charon_npatterns = sizeof(iks_charon_patterns) / sizeof(iks_charon_patterns[0]);

/* charon's exchange type names (RFC 2408 3.1 / RFC 2409 / RFC 7296 3.1 /
 * IANA numbers). */
const log_exchange_name iks_charon_exchanges[] = {
	{ "ID_PROT", 1, 2 },
	{ "AUTH_ONLY", 1, 3 },
	{ "AGGRESSIVE", 1, 4 },
	{ "INFORMATIONAL_V1", 1, 5 },
	{ "TRANSACTION", 1, 6 },
	{ "QUICK_MODE", 1, 32 },
	{ "NEW_GROUP_MODE", 1, 33 },
	{ "IKE_SA_INIT", 2, 34 },
	{ "IKE_AUTH", 2, 35 },
	{ "CREATE_CHILD_SA", 2, 36 },
	{ "INFORMATIONAL", 2, 37 },
	{ "IKE_SESSION_RESUME", 2, 38 },
	{ "IKE_INTERMEDIATE", 2, 43 },
	{ "IKE_FOLLOWUP_KE", 2, 44 },
};
const size_t iks_charon_nexchanges = sizeof(iks_charon_exchanges) / sizeof(iks_charon_exchanges[0]);
