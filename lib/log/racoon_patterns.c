/*
 * racoon_patterns.c - racoon (ipsec-tools) log lines that matter for the
 * join (data). Written from public samples (cited in captures/README.md):
 * an ipsec-tools 0.6.6 "racoon -F -d" debug log posted to a forum in 2007
 * ("N bytes from A[P] to B[Q]", "sockname", "send packet from/to",
 * "1 times of N bytes message will be sent to B[Q]", a "DEBUG:" line and
 * the datagram in hex, 4-byte groups, "resend phase1 packet I:R"), a 2010
 * syslog-routed debug log (the same lines after "Mon DD HH:MM:SS HOST
 * racoon: "), the FreeBSD Handbook's and OSSEC's racoon logs
 * ("ISAKMP-SA established A[P]-B[Q] spi:I:R", "begin Identity Protection
 * mode."), F5's racoon.log guide (the "YYYY-MM-DD HH:MM:SS: LEVEL: "
 * prefix), and the format strings of ipsec-tools 0.8's isakmp.c for the
 * received line ("N bytes message received from A[P] to B[Q]"; 0.6 and
 * older print only "from A[P]"). Matched against the text after
 * "LEVEL: "; see logpat.h for the pattern language.
 *
 * Time resolution: whole seconds. The join keys on the dumped bytes
 * (byte-exact; both cookies, exchange and message ID read from them),
 * direction, addresses and ports, and the length; without the dumps on
 * direction, addresses, ports, length and time.
 */
#include "config.h"

#include "log/logpat.h"

const logpat iks_racoon_patterns[] = {
	/* isakmp_send(): one per message sent: "N bytes from A[P] to B[Q]"
	 * (the count includes the non-ESP marker on port 4500) */
	{ "%d bytes from %w to %w", IKS_LK_SOCKET, R_FROM_TO },
	/* sendfromto(): one line per copy that left ("persend"), then the
	 * bytes in hex after an empty "DEBUG:" line */
	{ "%d times of %d bytes message will be sent to %w", IKS_LK_SEND, R_SENT },
	/* isakmp_handler(): "===" then this line then the bytes in hex
	 * (without a non-ESP marker) */
	{ "%d bytes message received from %w to %w", IKS_LK_RECV, R_RECV },
	{ "%d bytes message received from %w", IKS_LK_RECV, R_RECV },
	/* the phase 1 SA: "A[P]-B[Q] spi:ICOOKIE:RCOOKIE" */
	{ "ISAKMP-SA established %w spi:%s", IKS_LK_IKE_UP, R_ISAKMP_UP },
	{ "IPsec-SA established: %s", IKS_LK_CHILD_SPIS, R_IPSEC_UP },
	/* isakmp_ph1resend() logs this for the first send too (ident_i1send
	 * sends through it): not by itself a retransmission */
	{ "resend phase1 packet %s", IKS_LK_RETRANSMIT, R_RESEND },
	{ "resend phase2 packet %s", IKS_LK_RETRANSMIT, R_RESEND },
	{ "phase1 negotiation failed%s", IKS_LK_FAILED, R_FAILED },
	{ "phase2 negotiation failed%s", IKS_LK_FAILED, R_FAILED },
	{ "the packet retransmited by peer%s", IKS_LK_DROPPED, R_PEER_REXMIT },
	{ "the packet is retransmitted by %s", IKS_LK_DROPPED, R_PEER_REXMIT },
	{ "sockname %w", IKS_LK_SOCKET, R_OTHER },
	{ "send packet from %w", IKS_LK_SOCKET, R_OTHER },
	{ "send packet to %w", IKS_LK_SOCKET, R_OTHER },
	{ "src4 %w", IKS_LK_SOCKET, R_OTHER },
	{ "dst4 %w", IKS_LK_SOCKET, R_OTHER },
	{ "src6 %w", IKS_LK_SOCKET, R_OTHER },
	{ "dst6 %w", IKS_LK_SOCKET, R_OTHER },
	{ "===", IKS_LK_STATE, R_OTHER },
	{ "begin %s", IKS_LK_STATE, R_OTHER },
	{ "initiate new phase %s", IKS_LK_STATE, R_OTHER },
	{ "respond new phase %s", IKS_LK_STATE, R_OTHER },
};
const size_t iks_racoon_npatterns = sizeof(iks_racoon_patterns) / sizeof(iks_racoon_patterns[0]);
