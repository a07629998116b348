/*
 * cisco_patterns.c - Cisco IOS / IOS-XE "debug crypto ikev2" and "debug
 * crypto isakmp" lines that matter for the join (data). Written from
 * public samples (cited in captures/README.md): an IOS-XE 16.7 "debug
 * crypto ikev2" session posted with its router prompt (a packet is four
 * or five lines: "IKEv2:(SESSION ID = N,SA ID = M):Sending Packet [To
 * A:P/From B:Q/VRF i0:f0]", then "Initiator SPI : X - Responder SPI : Y
 * Message id: N", "IKEv2 NAME Exchange REQUEST|RESPONSE", "Payload
 * contents:" and the payload list, only the first line behind the
 * "service timestamps" prefix), Cisco TAC's IOS IKEv2 and IKEv1 main mode
 * debug guides (documents 115934, 113594) and a Cisco "General IPsec
 * troubleshooting" deck ("*Feb 1 21:44:23.314: ISAKMP (0): received
 * packet from A dport 500 sport 500 Global (I) MM_NO_STATE", "ISAKMP:(0):
 * sending packet to A my_port 500 peer_port 500 (I) MM_SA_SETUP"), and
 * IOS-XE 16/17 logs with "ISAKMP-PAK: (0):" tags. Matched against the
 * text after the time stamp, the "IKEv2..."/"ISAKMP..." tag and its
 * "(...):" context; see logpat.h for the pattern language.
 *
 * Time resolution: as printed, 1 ms with "service timestamps debug
 * datetime msec", else 1 s (continuation lines have none). The join keys
 * on IKEv2's SPIs (byte order learned), message ID, exchange,
 * request/response and 4-tuple; on IKEv1's direction, peer, ports and the
 * exchange its state names (no cookies or lengths are printed).
 */
#include "config.h"

#include "log/logpat.h"

const logpat iks_cisco_patterns[] = {
	/* IKEv2: the first line of a packet; the rest: "A:P/From B:Q/VRF ...]" */
	{ "Sending Packet [To %s", IKS_LK_SEND, C_V2_SEND },
	{ "Received Packet [From %s", IKS_LK_RECV, C_V2_RECV },
	/* its second line: the SPIs as 16 hex digits and the message ID */
	{ "Initiator SPI : %w - Responder SPI : %w Message id: %d", IKS_LK_HEADER, C_V2_SPI },
	/* its third line */
	{ "IKEv2 %w Exchange %w", IKS_LK_EXCHANGE, C_V2_EXCH },
	{ "Payload contents:", IKS_LK_HEADER, C_OTHER },
	/* IKEv1 (debug crypto isakmp): one line per datagram; the state
	 * (MM_..., AG_..., QM_IDLE) follows "(I)"/"(R)" */
	{ "sending packet to %a my_port %d peer_port %d %s", IKS_LK_SEND, C_V1_SEND },
	{ "sending packet to %a %s", IKS_LK_SEND, C_V1_SEND_OLD },
	{ "received packet from %a dport %d sport %d %s", IKS_LK_RECV, C_V1_RECV },
	{ "received packet from %a %s", IKS_LK_RECV, C_V1_RECV_OLD },
	/* "retransmitting phase 1 MM_KEY_EXCH...": the next send repeats */
	{ "retransmitting phase %d %s", IKS_LK_RETRANSMIT, C_REXMIT },
	{ "retransmitting due to retransmit phase %s", IKS_LK_RETRANSMIT, C_OTHER },
	/* IKEv2: "IKEv2:(SESSION ID = N,SA ID = M):Retransmitting packet"
	 * before the "Sending Packet" lines of the copy (same sample) */
	{ "Retransmitting packet", IKS_LK_RETRANSMIT, C_REXMIT },
	{ "Session with IKE ID PAIR %s", IKS_LK_IKE_UP, C_OTHER },
	{ "Old State = %s", IKS_LK_STATE, C_OTHER },
	{ "Input = %s", IKS_LK_STATE, C_OTHER },
	{ "beginning %s", IKS_LK_STATE, C_OTHER },
	{ "Generating %w message", IKS_LK_GENERATE, C_OTHER },
	{ "Processing %w message", IKS_LK_PARSED, C_OTHER },
	{ "Sending an IKE %s", IKS_LK_SOCKET, C_OTHER },
	{ "Insert SA", IKS_LK_STATE, C_OTHER },
	{ "Deleting SA", IKS_LK_STATE, C_OTHER },
};
const size_t iks_cisco_npatterns = sizeof(iks_cisco_patterns) / sizeof(iks_cisco_patterns[0]);

/* Exchange names of the "IKEv2 NAME Exchange" line (RFC 7296 3.1).
 * IKE_SA_INIT, IKE_AUTH and INFORMATIONAL are in the samples;
 * CREATE_CHILD_SA follows the RFC name and is not confirmed. */
const log_exchange_name iks_cisco_exchanges[] = {
	{ "IKE_SA_INIT", 2, 34 },
	{ "IKE_AUTH", 2, 35 },
	{ "CREATE_CHILD_SA", 2, 36 },
	{ "INFORMATIONAL", 2, 37 },
};
const size_t iks_cisco_nexchanges = sizeof(iks_cisco_exchanges) / sizeof(iks_cisco_exchanges[0]);
