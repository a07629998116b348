/*
 * audit_fields.c - field names of exported Windows IPsec audit events
 * (data). English names as Windows 2000/2003 write events 541, 542, 543
 * and 547 in the Security log, and the header names of the text and CSV
 * exports. Several spellings of one field are listed where Windows
 * versions differ ("InboundSpi" / "Inbound SPI"). Reconstructed from
 * knowledge of those events, not copied from a file: docs/audit-events.md.
 */
#include "config.h"

#include "audit/audit_internal.h"

/* Header fields and CSV columns. */
const audit_name audit_header_names[] = {
	{ "Event ID", AF_EVENT_ID },
	{ "EventID", AF_EVENT_ID },
	{ "Event", AF_EVENT_ID },          /* old CSV export column */
	{ "Date and Time", AF_DATETIME },  /* Vista+ Event Viewer CSV */
	{ "TimeCreated", AF_DATETIME },
	{ "Date", AF_DATE },
	{ "Time", AF_TIME },
	{ "Computer", AF_COMPUTER },
	{ "Description", AF_DESCRIPTION },
	{ "Message", AF_DESCRIPTION },
	{ "Log Name", AF_HEADER },
	{ "Source", AF_HEADER },
	{ "Event Source", AF_HEADER },
	{ "Event Type", AF_HEADER },
	{ "Event Category", AF_HEADER },
	{ "Task", AF_HEADER },
	{ "Task Category", AF_HEADER },
	{ "Category", AF_HEADER },
	{ "Type", AF_HEADER },
	{ "Level", AF_HEADER },
	{ "Opcode", AF_HEADER },
	{ "Keyword", AF_HEADER },
	{ "Keywords", AF_HEADER },
	{ "User", AF_HEADER },
	{ "User Name", AF_HEADER },
};
const size_t audit_header_count = sizeof(audit_header_names) / sizeof(audit_header_names[0]);

/* Fields inside the description, "Name value" or "Name: value". */
const audit_name audit_field_names[] = {
	{ "Source IP Address Mask", AF_SRC_MASK },
	{ "Source IP Address", AF_SRC },
	{ "Destination IP Address Mask", AF_DST_MASK },
	{ "Destination IP Address", AF_DST },
	{ "Protocol", AF_PROTO },
	{ "Source Port", AF_SPORT },
	{ "Destination Port", AF_DPORT },
	{ "IKE Local Addr", AF_IKE_LOCAL },
	{ "IKE Peer Addr", AF_IKE_PEER },
	{ "Peer IP Address", AF_PEER_IP },
	{ "ESP Algorithm", AF_ESP_ALG },
	{ "HMAC Algorithm", AF_HMAC_ALG },
	{ "AH Algorithm", AF_AH_ALG },
	{ "Encapsulation", AF_ENCAP },
	{ "InboundSpi", AF_SPI_IN },
	{ "Inbound SPI", AF_SPI_IN },
	{ "OutBoundSpi", AF_SPI_OUT },
	{ "Outbound SPI", AF_SPI_OUT },
	{ "Lifetime (sec)", AF_LIFE_SEC },
	{ "Lifetime (kb)", AF_LIFE_KB },
	{ "QM delegate SA", AF_PARAM },
	{ "Encryption Algorithm", AF_ENC_ALG },
	{ "Hash Algorithm", AF_HASH_ALG },
	{ "Authentication Mode", AF_AUTH_MODE },
	{ "Diffie-Hellman Group", AF_DH_GROUP },
	{ "Initiator Cookie", AF_PARAM },
	{ "Responder Cookie", AF_PARAM },
};
const size_t audit_field_count = sizeof(audit_field_names) / sizeof(audit_field_names[0]);

/* Section headings of the description. */
const audit_name audit_section_names[] = {
	{ "Mode", AS_MODE },
	{ "Peer Identity", AS_PEER_IDENTITY },
	{ "Filter", AS_FILTER },
	{ "Parameters", AS_PARAMETERS },
	{ "Failure Point", AS_FAILURE_POINT },
	{ "Failure Reason", AS_FAILURE_REASON },
	{ "Extra Status", AS_EXTRA_STATUS },
};
const size_t audit_section_count = sizeof(audit_section_names) / sizeof(audit_section_names[0]);
