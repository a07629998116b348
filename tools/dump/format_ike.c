/*
 * format_ike.c - decoded IKE payload bodies (ikescope/ike.h) as JSON keys inside
 * `ike.payloads` objects and as the indented payload tree of `ikedump -v`.
 *
 * One description per payload kind drives both outputs through a small
 * emitter, so the text tree and the JSON always carry the same fields.
 */
#include "dump/format_ike.h"
#include "dump/ike_emit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void addr_str(const iks_addr *a, char *buf)
{
	iks_addr_format(a, buf, IKS_ADDRSTRLEN);
}

/* Attribute values that are secrets are never shown (XAUTH passwords). */
static bool secret_attr(bool config, uint16_t type)
{
	return config && (type == 16522 || type == 16523);
}

static void emit_attrs(emit *e, const iks_ike_msg *m, uint16_t first, uint16_t count, int kind,
		       uint8_t protocol)
{
	e_list_begin(e, "attributes");
	for (unsigned i = 0; i < count && first + i < m->nattrs; i++) {
		const iks_ike_attr *a = &m->attrs[first + i];
		const char *n = NULL, *vn = NULL;
		bool config = kind == IKS_PK_CONFIG;
		if (config)
			n = iks_ike_config_attr_name(m->version, a->type);
		else if (m->version == 2)
			n = iks_ike_v2_attr_name(a->type);
		else if (protocol == 1) {
			n = iks_ike_v1_attr_name(a->type);
			vn = a->has_value ? iks_ike_v1_attr_value_name(a->type, a->value) : NULL;
		} else {
			n = iks_ike_v1_ipsec_attr_name(a->type);
			vn = a->has_value ? iks_ike_v1_ipsec_attr_value_name(a->type, a->value) : NULL;
		}
		e_item_begin(e, "attribute");
		e_uint(e, "type", a->type);
		e_name(e, "name", n);
		if (secret_attr(config, a->type)) {
			e_uint(e, "value_len", a->data.len);
		} else if (a->has_value && (a->basic || !config)) {
			e_uint(e, "value", a->value);
			if (vn)
				e_str(e, "value_name", vn);
		} else {
			e_hex(e, "data", a->data.p, a->data.len);
		}
		e_item_end(e);
	}
	e_list_end(e);
}

static void emit_sa(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	if (m->version == 1) {
		e_uint(e, "doi", pl->doi);
		e_uint(e, "situation", pl->situation);
	}
	e_list_begin(e, "proposals");
	for (unsigned i = 0; i < pl->prop_count; i++) {
		const iks_ike_proposal *p = &m->proposals[pl->prop_first + i];
		e_item_begin(e, "proposal");
		e_uint(e, "number", p->number);
		e_uint(e, "protocol", p->protocol);
		e_name(e, "protocol_name", iks_ike_protocol_name(m->version, p->protocol));
		e_hex(e, "spi", p->spi.p, p->spi.len);
		e_uint(e, "transform_count", p->transforms_declared);
		e_list_begin(e, "transforms");
		for (unsigned j = 0; j < p->tr_count; j++) {
			const iks_ike_transform *t = &m->transforms[p->tr_first + j];
			e_item_begin(e, "transform");
			if (m->version == 1) {
				e_uint(e, "number", t->number);
				e_uint(e, "id", t->id);
				e_name(e, "name", iks_ike_v1_transform_name(p->protocol, t->id));
			} else {
				e_uint(e, "transform_type", t->type);
				e_name(e, "type_name", iks_ike_v2_transform_type_name(t->type));
				e_uint(e, "id", t->id);
				e_name(e, "name", iks_ike_v2_transform_name(t->type, t->id));
			}
			emit_attrs(e, m, t->attr_first, t->attr_count, IKS_PK_SA, p->protocol);
			e_item_end(e);
		}
		e_list_end(e);
		e_item_end(e);
	}
	e_list_end(e);
}

static void emit_id(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	char a[IKS_ADDRSTRLEN], b2[IKS_ADDRSTRLEN], v[2 * IKS_ADDRSTRLEN + 8];
	e_uint(e, "id_type", pl->id_type);
	e_name(e, "id_type_name", iks_ike_id_type_name(m->version, pl->id_type));
	if (m->version == 1 && pl->kind == IKS_PK_ID) {
		e_uint(e, "id_protocol", pl->id_proto);
		e_uint(e, "id_port", pl->id_port);
	}
	if (pl->has_addr) {
		addr_str(&pl->addr, a);
		if (pl->id_type == 4 || pl->id_type == 6) {
			addr_str(&pl->addr2, b2);
			if (pl->prefix != 255)
				snprintf(v, sizeof(v), "%s/%u", a, pl->prefix);
			else
				snprintf(v, sizeof(v), "%s/%s", a, b2);
		} else if (pl->id_type == 7 || pl->id_type == 8) {
			addr_str(&pl->addr2, b2);
			snprintf(v, sizeof(v), "%s-%s", a, b2);
		} else {
			snprintf(v, sizeof(v), "%s", a);
		}
		e_str(e, "id", v);
		return;
	}
	bool text = pl->id_type == 2 || pl->id_type == 3;
	for (size_t i = 0; text && i < pl->data.len; i++)
		if (pl->data.p[i] < 0x20 || pl->data.p[i] > 0x7e || pl->data.p[i] == '"')
			text = false;
	if (text && pl->data.len < 256) {
		char s[256];
		memcpy(s, pl->data.p, pl->data.len);
		s[pl->data.len] = '\0';
		e_str(e, "id", s);
	} else {
		e_hex(e, "id_data", pl->data.p, pl->data.len);
	}
}

static void emit_natd(emit *e, const iks_ike_payload *pl)
{
	e_str(e, "nat_side", pl->natd_is_source ? "source" : "destination");
	if (pl->natd != IKS_NATD_UNCHECKED)
		e_bool(e, "nat_match", pl->natd == IKS_NATD_MATCH);
	if (pl->natd_note)
		e_str(e, "nat_note", pl->natd_note);
}

static void emit_notify(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	if (m->version == 1)
		e_uint(e, "doi", pl->doi);
	e_uint(e, "protocol", pl->protocol);
	e_name(e, "protocol_name", iks_ike_protocol_name(m->version, pl->protocol));
	e_hex(e, "spi", pl->spi.p, pl->spi.len);
	e_uint(e, "notify_type", pl->notify_type);
	e_name(e, "notify_name", iks_ike_notify_name(m->version, pl->notify_type));
	e_uint(e, "data_len", pl->data.len);
	if (pl->has_value)
		e_uint(e, "value", pl->value);
	if (m->version == 1 && pl->notify_type == 24576)
		emit_attrs(e, m, pl->attr_first, pl->attr_count, IKS_PK_SA, pl->protocol);
	if (m->version == 2 && (pl->notify_type == 16388 || pl->notify_type == 16389)) {
		e_hex(e, "data", pl->data.p, pl->data.len);
		emit_natd(e, pl);
	}
	if (m->version == 2 && pl->notify_type == 16390) /* COOKIE */
		e_hex(e, "data", pl->data.p, pl->data.len);
}

static void emit_delete(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	if (m->version == 1)
		e_uint(e, "doi", pl->doi);
	e_uint(e, "protocol", pl->protocol);
	e_name(e, "protocol_name", iks_ike_protocol_name(m->version, pl->protocol));
	e_uint(e, "spi_size", pl->spi_size);
	e_uint(e, "spi_count", pl->spi_count);
	if (e->w) {
		jw_key(e->w, "spis");
		jw_arr_begin(e->w);
	} else {
		sb_puts(e->b, " spis=");
	}
	/* the SPIs present, however many the header claims (a Delete may lie
	 * about its count: the payload's status says so) */
	for (unsigned i = 0; pl->spi_size && i < pl->spi_count &&
			     ((size_t)i + 1) * pl->spi_size <= pl->spi.len; i++) {
		const uint8_t *p = pl->spi.p + (size_t)i * pl->spi_size;
		if (e->w) {
			jw_hex(e->w, p, pl->spi_size);
		} else {
			if (i)
				sb_putc(e->b, ',');
			for (unsigned k = 0; k < pl->spi_size; k++)
				sb_printf(e->b, "%02x", p[k]);
		}
	}
	if (e->w)
		jw_arr_end(e->w);
}

static void emit_ts(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	char a[IKS_ADDRSTRLEN];
	e_uint(e, "ts_count", pl->ts_declared);
	e_list_begin(e, "selectors");
	for (unsigned i = 0; i < pl->ts_count; i++) {
		const iks_ike_ts *t = &m->ts[pl->ts_first + i];
		e_item_begin(e, "selector");
		e_uint(e, "ts_type", t->type);
		e_uint(e, "ip_proto", t->ip_proto);
		e_uint(e, "start_port", t->start_port);
		e_uint(e, "end_port", t->end_port);
		if (t->start.family) {
			addr_str(&t->start, a);
			e_str(e, "start", a);
			addr_str(&t->end, a);
			e_str(e, "end", a);
		}
		e_item_end(e);
	}
	e_list_end(e);
}

void fmt_ike_emit_body(emit *e, const iks_ike_msg *m, const iks_ike_payload *pl)
{
	switch (pl->kind) {
	case IKS_PK_SA: emit_sa(e, m, pl); break;
	case IKS_PK_KE:
		if (m->version == 2) {
			e_uint(e, "group", pl->group);
			e_name(e, "group_name", iks_ike_v2_transform_name(4, pl->group));
		}
		e_uint(e, "data_len", pl->data.len);
		break;
	case IKS_PK_ID:
	case IKS_PK_NAT_OA: emit_id(e, m, pl); break;
	case IKS_PK_CERT:
	case IKS_PK_CR:
		e_uint(e, "encoding", pl->encoding);
		e_name(e, "encoding_name", iks_ike_cert_encoding_name(pl->encoding));
		e_uint(e, "data_len", pl->data.len);
		break;
	case IKS_PK_AUTH:
		e_uint(e, "method", pl->encoding);
		e_name(e, "method_name", iks_ike_auth_method_name(pl->encoding));
		e_uint(e, "data_len", pl->data.len);
		break;
	case IKS_PK_HASH:
	case IKS_PK_SIG:
	case IKS_PK_NONCE:
		e_uint(e, "data_len", pl->data.len);
		break;
	case IKS_PK_NOTIFY: emit_notify(e, m, pl); break;
	case IKS_PK_DELETE: emit_delete(e, m, pl); break;
	case IKS_PK_VID:
		e_name(e, "vendor", pl->vendor);
		e_hex(e, "data", pl->data.p, pl->data.len);
		break;
	case IKS_PK_CONFIG:
		e_uint(e, "cfg_type", pl->cfg_type);
		if (m->version == 1)
			e_uint(e, "identifier", pl->cfg_id);
		emit_attrs(e, m, pl->attr_first, pl->attr_count, IKS_PK_CONFIG, 0);
		break;
	case IKS_PK_NAT_D:
		e_hex(e, "data", pl->data.p, pl->data.len);
		emit_natd(e, pl);
		break;
	case IKS_PK_FRAG:
		e_uint(e, "frag_id", pl->frag_id);
		e_uint(e, "frag_number", pl->frag_number);
		e_bool(e, "frag_last", pl->frag_last);
		e_uint(e, "data_len", pl->data.len);
		break;
	case IKS_PK_TS: emit_ts(e, m, pl); break;
	case IKS_PK_SKF:
		e_uint(e, "frag_number", pl->frag_number);
		e_uint(e, "frag_total", pl->frag_total);
		/* fall through */
	case IKS_PK_SK:
		e_uint(e, "data_len", pl->data.len);
		if (pl->iv_len || pl->icv_len) {
			e_uint(e, "iv_len", pl->iv_len);
			e_uint(e, "icv_len", pl->icv_len);
		}
		break;
	case IKS_PK_EAP:
		e_uint(e, "eap_code", pl->eap_code);
		e_uint(e, "eap_id", pl->eap_id);
		if (pl->eap_code == 1 || pl->eap_code == 2)
			e_uint(e, "eap_type", pl->eap_type);
		break;
	default:
		e_uint(e, "body_len", pl->body.len);
		break;
	}
	if (pl->status != IKS_OK) {
		e_str(e, "status", iks_status_name(pl->status));
		e_uint(e, "error_offset", pl->err_offset);
		e_str(e, "reason", pl->reason);
	}
}

/* The decoded payload at `offset` in m, or NULL. */
static const iks_ike_payload *find_payload(const iks_ike_msg *m, uint32_t offset)
{
	for (unsigned i = 0; i < m->npayloads; i++)
		if (m->payloads[i].offset == offset)
			return &m->payloads[i];
	return NULL;
}

const char *fmt_ike_decoded_name(const iks_ike_msg *m, const iks_ike_payload *pl)
{
	if (pl->kind == IKS_PK_NAT_D && pl->type != 20)
		return "NAT-D (draft)";
	if (pl->kind == IKS_PK_NAT_OA && pl->type != 21)
		return "NAT-OA (draft)";
	return iks_ike_payload_name(m->version, pl->type);
}

const char *fmt_ike_payload_name(const iks_ike_info *ike, unsigned i)
{
	const iks_ike_payload *pl = NULL;
	if (ike->detail && ike->detail->msg && i < IKS_IKE_MAX_PAYLOADS)
		pl = find_payload(ike->detail->msg, ike->payloads[i].offset);
	if (!pl)
		return iks_ike_payload_name(ike->version, ike->payloads[i].type);
	return fmt_ike_decoded_name(ike->detail->msg, pl);
}

void fmt_ike_payload_json(jsonw *w, const iks_ike_info *ike, unsigned i)
{
	if (!ike->detail || !ike->detail->msg || i >= IKS_IKE_MAX_PAYLOADS)
		return;
	const iks_ike_payload *pl = find_payload(ike->detail->msg, ike->payloads[i].offset);
	if (!pl)
		return;
	emit e = { w, NULL, 0 };
	fmt_ike_emit_body(&e, ike->detail->msg, pl);
}
