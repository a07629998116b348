/* audit_internal.h - field-name tables of the audit event parser (internal). */
#ifndef IKS_AUDIT_INTERNAL_H
#define IKS_AUDIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum audit_field_id {
	AF_NONE = 0,
	/* event header (wevtutil /f:text, Event Viewer text, CSV columns) */
	AF_EVENT_ID, AF_DATE, AF_TIME, AF_DATETIME, AF_COMPUTER, AF_DESCRIPTION, AF_HEADER,
	/* filter */
	AF_SRC, AF_SRC_MASK, AF_DST, AF_DST_MASK, AF_PROTO, AF_SPORT, AF_DPORT,
	AF_IKE_LOCAL, AF_IKE_PEER, AF_PEER_IP,
	/* quick mode parameters */
	AF_ESP_ALG, AF_HMAC_ALG, AF_AH_ALG, AF_ENCAP, AF_SPI_IN, AF_SPI_OUT,
	AF_LIFE_SEC, AF_LIFE_KB,
	/* main mode parameters */
	AF_ENC_ALG, AF_HASH_ALG, AF_AUTH_MODE, AF_DH_GROUP,
	AF_PARAM
};

/* Sections of a description: a line "Name:" whose value follows. */
enum audit_section_id {
	AS_NONE = 0, AS_MODE, AS_PEER_IDENTITY, AS_FILTER, AS_PARAMETERS,
	AS_FAILURE_POINT, AS_FAILURE_REASON, AS_EXTRA_STATUS
};

typedef struct audit_name {
	const char *name;
	int id;
} audit_name;

extern const audit_name audit_header_names[];
extern const size_t audit_header_count;
extern const audit_name audit_field_names[];
extern const size_t audit_field_count;
extern const audit_name audit_section_names[];
extern const size_t audit_section_count;

/* The section that holds several fields (Filter, Parameters) rather than
 * one value. */
static inline int audit_section_has_fields(int s)
{
	return s == AS_FILTER || s == AS_PARAMETERS;
}

/* The event under construction (lib/audit.c), for the readers of the
 * export shapes (lib/audit_read.c). */
struct iks_audit;
void audit_begin(struct iks_audit *a, uint32_t line);   /* ends the current event first */
void audit_finish(struct iks_audit *a);
bool audit_have_event(const struct iks_audit *a);
bool audit_in_description(const struct iks_audit *a);
void audit_set_description(struct iks_audit *a);
void audit_add_field(struct iks_audit *a, const char *section, const char *name, size_t nlen,
		     const char *value, size_t vlen, bool known);
void audit_desc_line(struct iks_audit *a, const char *line);
void audit_desc_text(struct iks_audit *a, const char *text); /* several lines, or one flattened */
void audit_count_line(struct iks_audit *a);
void audit_set_format(struct iks_audit *a, int format);
uint32_t audit_line_max(const struct iks_audit *a);

#endif
