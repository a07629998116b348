/*
 * format_meta.c - the pcapng per-frame keys of ikedump --json (docs/json.md):
 * interface, if_name, direction, packet_id, copies, components, verdict,
 * dropcount, comment.
 * Written only for frames read from pcapng (iks_frame_meta.present).
 */
#include "config.h"

#include "dump/format.h"
#include "common/jsonw.h"

void fmt_meta_json(jsonw *w, const iks_frame_meta *m)
{
	if (!m->present)
		return;
	jw_key(w, "interface");
	jw_uint(w, m->interface);
	if (m->if_name) {
		jw_key(w, "if_name");
		jw_str(w, m->if_name);
	}
	if (m->direction != IKS_CAPDIR_UNKNOWN) {
		jw_key(w, "direction");
		jw_str(w, m->direction == IKS_CAPDIR_IN ? "in" : "out");
	}
	if (m->has_packet_id) {
		jw_key(w, "packet_id");
		jw_uint(w, m->packet_id);
	}
	if (m->ncopies > 1) {
		/* one packet seen at several components: where each copy was */
		jw_key(w, "copies");
		jw_uint(w, m->ncopies);
		jw_key(w, "components");
		jw_arr_begin(w);
		for (unsigned i = 0; i < m->ncopies && i < IKS_FRAME_MAX_COPIES; i++) {
			jw_obj_begin(w);
			jw_key(w, "interface");
			jw_uint(w, m->copy_interfaces[i]);
			if (m->copy_names[i]) {
				jw_key(w, "if_name");
				jw_str(w, m->copy_names[i]);
			}
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	if (m->has_verdict) {
		jw_key(w, "verdict");
		jw_obj_begin(w);
		jw_key(w, "type");
		jw_uint(w, m->verdict_type);
		jw_key(w, "value");
		jw_uint(w, m->verdict);
		jw_key(w, "interface");
		jw_uint(w, m->verdict_interface);
		if (m->verdict_name) {
			jw_key(w, "if_name");
			jw_str(w, m->verdict_name);
		}
		jw_obj_end(w);
	}
	if (m->has_dropcount) {
		jw_key(w, "dropcount");
		jw_uint(w, m->dropcount);
	}
	if (m->comment) {
		jw_key(w, "comment");
		jw_str(w, m->comment);
	}
}
