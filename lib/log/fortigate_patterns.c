/*
 * fortigate_patterns.c - FortiGate "diagnose debug application ike -1"
 * lines that matter for the join (data). Written from public samples
 * (cited in captures/README.md): Fortinet KB article 198232 (FortiOS
 * 5.x/6.x, IKEv1, with "diagnose debug console timestamp enable"),
 * Fortinet community article 346970 (FortiOS 7.x, IKEv2, "V=root:0"
 * contexts, ", vrf=0" and ":MSGID" after the cookies) and the Fortinet
 * China handbook's IKEv1 main mode debug. Matched against the text after
 * "ike CONTEXT: "; see logpat.h for the pattern language.
 */
#include "config.h"

#include "log/logpat.h"

const logpat iks_fortigate_patterns[] = {
	/* span: "(STATE):" (ident_i1send, CREATE_CHILD, ...), the rest:
	 * "A:P->B:Q, len=N[, vrf=V], id=ICOOKIE/RCOOKIE[:MSGID][, oif=N]" */
	{ "sent IKE msg %w %s", IKS_LK_SEND, F_SENT },
	/* "A:P->B:Q,ifindex=N[,vrf=V][,len=N]...." : a datagram arrived */
	{ "comes %s", IKS_LK_SOCKET, F_COMES },
	/* what it was: "exchange=NAME id=I/R[:MSGID] len=N[ vrf=V]" */
	{ "IKEv1 exchange=%s", IKS_LK_RECV, F_EXCH_V1 },
	{ "IKEv2 exchange=%s", IKS_LK_RECV, F_EXCH_V2 },
	/* the whole message in hex (uppercase, one line): "out" before the
	 * "sent IKE msg" line, "in" after the exchange line */
	{ "out %w", IKS_LK_DUMP, F_OUT },
	{ "in %w", IKS_LK_DUMP, F_IN },
};
const size_t iks_fortigate_npatterns =
	sizeof(iks_fortigate_patterns) / sizeof(iks_fortigate_patterns[0]);

/* Exchange names after "exchange=". "Identity Protection" (KB 198232,
 * handbook) and CREATE_CHILD (article 346970) are seen in the samples; the
 * others follow the same naming and are not confirmed. */
const log_exchange_name iks_fortigate_exchanges[] = {
	{ "Identity Protection", 1, 2 },
	{ "Aggressive", 1, 4 },
	{ "Informational", 1, 5 },
	{ "Transaction", 1, 6 },
	{ "Quick", 1, 32 },
	{ "SA_INIT", 2, 34 },
	{ "AUTH", 2, 35 },
	{ "CREATE_CHILD", 2, 36 },
	{ "INFORMATIONAL", 2, 37 },
};
const size_t iks_fortigate_nexchanges =
	sizeof(iks_fortigate_exchanges) / sizeof(iks_fortigate_exchanges[0]);
