/* test_logformats.c - the IKE logs of issue #21: charon in its time
 * formats with ike_name and packet dumps, libreswan pluto, joined to the
 * captures of the same runs (captures/logs/, made by scripts/lab-logs.sh)
 * and checked byte for byte against the bytes the logs dumped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

/* The IKE packets of a capture with a copy of each message's bytes. */
typedef struct ike_cap {
	iks_log_pkt *pkts;
	uint8_t **bytes;
	size_t *len;
	size_t n;
} ike_cap;

static void cap_load(const char *name, ike_cap *c)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	memset(c, 0, sizeof(*c));
	iks_capture *cap = iks_capture_open(fixture_path(name, path, sizeof(path)), NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_decoder *dec = iks_decoder_new(NULL);
	ck_assert_ptr_nonnull(dec);
	size_t capn = 64;
	c->pkts = calloc(capn, sizeof(*c->pkts));
	c->bytes = calloc(capn, sizeof(*c->bytes));
	c->len = calloc(capn, sizeof(*c->len));
	iks_frame f;
	iks_packet p;
	while (iks_capture_next(cap, &f) == 1) {
		iks_decode(dec, &f, &p);
		iks_event ev;
		while (iks_decoder_next_event(dec, &ev) == 1)
			;
		if (!iks_log_pkt_from_packet(&p, &c->pkts[c->n]))
			continue;
		ck_assert_uint_lt(c->n, capn);
		c->len[c->n] = p.l.ike.raw.len;
		c->bytes[c->n] = malloc(p.l.ike.raw.len ? p.l.ike.raw.len : 1);
		memcpy(c->bytes[c->n], p.l.ike.raw.p, p.l.ike.raw.len);
		c->n++;
	}
	iks_decoder_free(dec);
	iks_capture_close(cap);
}

static void cap_free(ike_cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->bytes[i]);
	free(c->bytes);
	free(c->len);
	free(c->pkts);
}

static iks_log *log_load(const char *name)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	const char *p = fixture_path(name, path, sizeof(path));
	iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_ptr_nonnull(log);
	iks_status st = iks_log_read_files(log, &p, 1, err);
	ck_assert_msg(st == IKS_OK, "%s: %s", name, err);
	return log;
}

/* Every run, every end: what the log holds, and how it joins. Counts are
 * what the lab run logged and captured (in the first runs tcpdump stopped
 * before the daemons, so the last messages of some logs are not in the
 * capture). */
static const struct run {
	const char *capture, *log;
	int format;
	uint32_t messages, matched, exact, retransmits;
	uint32_t res_us;   /* time resolution of the log */
} runs[] = {
	{ "logs/charon_v2_ms_a.pcap", "logs/charon_v2_ms_charon_a.log", IKS_LOG_CHARON, 8, 8, 8, 2, 1000 },
	{ "logs/charon_v2_ms_b.pcap", "logs/charon_v2_ms_charon_b.log", IKS_LOG_CHARON, 6, 6, 6, 0, 1000 },
	{ "logs/charon_v1_iso_a.pcap", "logs/charon_v1_iso_charon_a.log", IKS_LOG_CHARON, 11, 11, 11, 0, 1000 },
	{ "logs/charon_v1_iso_b.pcap", "logs/charon_v1_iso_charon_b.log", IKS_LOG_CHARON, 11, 11, 11, 0, 1000000 },
	{ "logs/pluto_charon_v2_a.pcap", "logs/pluto_charon_v2_pluto_a.log", IKS_LOG_PLUTO, 10, 8, 8, 0, 1 },
	{ "logs/pluto_charon_v2_b.pcap", "logs/pluto_charon_v2_charon_b.log", IKS_LOG_CHARON, 10, 8, 8, 0, 1000 },
	{ "logs/pluto_charon_v1_a.pcap", "logs/pluto_charon_v1_pluto_a.log", IKS_LOG_PLUTO, 11, 11, 11, 2, 1 },
	{ "logs/pluto_charon_v1_b.pcap", "logs/pluto_charon_v1_charon_b.log", IKS_LOG_CHARON, 11, 11, 11, 0, 1000 },
	{ "logs/pluto_v2_drop_a.pcap", "logs/pluto_v2_drop_pluto_a.log", IKS_LOG_PLUTO, 14, 12, 12, 4, 1 },
	{ "logs/pluto_v2_drop_b.pcap", "logs/pluto_v2_drop_charon_b.log", IKS_LOG_CHARON, 18, 16, 16, 4, 1000 },
	/* pluto at both ends; then pluto behind r's masquerade (real NAT-T on 4500)
	 * with charon at b. These runs stopped the daemons before tcpdump: every
	 * logged message is in the capture. */
	{ "logs/pluto_pluto_v2_a.pcap", "logs/pluto_pluto_v2_pluto_a.log", IKS_LOG_PLUTO, 6, 6, 6, 0, 1 },
	{ "logs/pluto_pluto_v2_b.pcap", "logs/pluto_pluto_v2_pluto_b.log", IKS_LOG_PLUTO, 6, 6, 6, 0, 1 },
	{ "logs/pluto_pluto_v1_a.pcap", "logs/pluto_pluto_v1_pluto_a.log", IKS_LOG_PLUTO, 12, 12, 12, 3, 1 },
	{ "logs/pluto_pluto_v1_b.pcap", "logs/pluto_pluto_v1_pluto_b.log", IKS_LOG_PLUTO, 12, 12, 12, 0, 1 },
	{ "logs/pluto_nat_v2_a.pcap", "logs/pluto_nat_v2_pluto_a.log", IKS_LOG_PLUTO, 10, 10, 10, 0, 1 },
	{ "logs/pluto_nat_v2_b.pcap", "logs/pluto_nat_v2_charon_b.log", IKS_LOG_CHARON, 10, 10, 10, 0, 1000 },
	{ "logs/pluto_nat_v1_a.pcap", "logs/pluto_nat_v1_pluto_a.log", IKS_LOG_PLUTO, 12, 12, 12, 3, 1 },
	{ "logs/pluto_nat_v1_b.pcap", "logs/pluto_nat_v1_charon_b.log", IKS_LOG_CHARON, 12, 12, 12, 0, 1000 },
};

START_TEST(real_logs_join_every_packet_byte_exact)
{
	const struct run *r = &runs[_i];
	ike_cap c;
	cap_load(r->capture, &c);
	iks_log *log = log_load(r->log);
	ck_assert_int_eq(iks_log_format_of(log), r->format);
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, c.pkts, c.n, NULL, &j), IKS_OK);
	/* every IKE packet of the capture is in the log */
	for (size_t k = 0; k < c.n; k++)
		ck_assert_msg(j->pkt_msg[k] != IKS_LOG_NONE, "%s: frame %llu not joined", r->capture,
			      (unsigned long long)c.pkts[k].frame);
	/* each joined message whose bytes the log holds has the packet's bytes */
	uint32_t exact = 0, with_data = 0;
	for (size_t i = 0; i < iks_log_nmessages(log); i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		size_t n = 0;
		const uint8_t *d = iks_log_msg_data(log, m, &n);
		ck_assert_int_eq(d != NULL, m->has_data);
		if (m->resolution_us)
			ck_assert_uint_eq(m->resolution_us, r->res_us);
		if (j->msg_pkt[i] == IKS_LOG_NONE || !d)
			continue;
		with_data++;
		uint32_t k = j->msg_pkt[i];
		ck_assert_msg(n == c.len[k] && memcmp(d, c.bytes[k], n) == 0,
			      "%s line %u: dumped bytes differ from frame %llu", r->log, m->line,
			      (unsigned long long)c.pkts[k].frame);
		exact++;
	}
	ck_assert_uint_eq(exact, j->matched_exact);
	ck_assert_uint_eq(with_data, j->matched_exact);
	if (r->messages) {
		ck_assert_uint_eq(iks_log_nmessages(log), r->messages);
		ck_assert_uint_eq(j->matched, r->matched);
		ck_assert_uint_eq(j->matched_exact, r->exact);
	}
	ck_assert_uint_eq(j->matched, c.n);
	ck_assert_uint_eq(j->retransmits, r->retransmits);
	fprintf(stderr, "logformats: %s: %u/%zu packets joined, %u byte-exact, %u of %zu log "
		"messages in the capture, %u retransmits\n", r->log, j->matched, c.n,
		j->matched_exact, j->matched, iks_log_nmessages(log), j->retransmits);
	iks_log_join_free(j);
	iks_log_free(log);
	cap_free(&c);
}
END_TEST

static size_t count_kind(const iks_log *log, int kind)
{
	size_t n = 0;
	for (size_t i = 0; i < iks_log_nrecords(log); i++)
		n += iks_log_record_at(log, i)->kind == kind;
	return n;
}

/* pluto's failure lines and the STF_SUSPEND caution, on the real logs. */
START_TEST(pluto_failures_and_suspend)
{
	iks_log *log = log_load("logs/pluto_charon_v1_pluto_a.log");
	/* four "| IKEv1 packet dropped": two right after STF_SUSPEND (parked for
	 * the DH helper), two after a finished transition */
	size_t susp = count_kind(log, IKS_LK_SUSPENDED), drop = count_kind(log, IKS_LK_DROPPED);
	ck_assert_uint_eq(susp + drop, 4);
	ck_assert_uint_eq(susp, 2);
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind == IKS_LK_SUSPENDED)
			ck_assert(r->line == 1614 || r->line == 1855);
	}
	iks_log_free(log);

	log = log_load("logs/pluto_charon_v2_pluto_a.log");
	size_t add_sa = 0;
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (r->kind == IKS_LK_FAILED && r->text && strstr(r->text, "Add SA") &&
		    strstr(r->text, "Protocol not supported")) {
			add_sa++;
			ck_assert_uint_gt(r->serial, 0);
		}
	}
	ck_assert_uint_ge(add_sa, 1);
	/* "INFORMATIONAL request has no corresponding IKE SA; message dropped" */
	size_t noike = 0;
	for (size_t i = 0; i < iks_log_nrecords(log); i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		noike += r->kind == IKS_LK_DROPPED && r->text &&
			 strstr(r->text, "no corresponding IKE SA") != NULL;
	}
	ck_assert_uint_eq(noike, count_kind(log, IKS_LK_DROPPED));
	ck_assert_uint_eq(noike, 2); /* lines 3730 and 3760 */
	iks_log_free(log);

	/* one-way drop in r: pluto retransmits IKE_SA_INIT after 0.5, 1, 2 s */
	log = log_load("logs/pluto_v2_drop_pluto_a.log");
	ck_assert_uint_ge(count_kind(log, IKS_LK_RETRANSMIT), 3);
	uint32_t last = 0;
	for (size_t i = 0; i < iks_log_nmessages(log); i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		if (m->retransmit) {
			ck_assert_uint_eq(m->retransmit, last + 1);
			ck_assert(m->has_data);
			last = m->retransmit;
		}
	}
	ck_assert_uint_ge(last, 3);
	iks_log_free(log);
}
END_TEST

/* Both forms of pluto's "no corresponding IKE SA" drop, on the later runs:
 * pluto a drops the response to its own Delete (pluto_pluto_v2) and charon's
 * two Delete requests for IKE SAs it had deleted silently (pluto_nat_v2). */
START_TEST(pluto_no_ike_sa_drops)
{
	static const struct {
		const char *log, *what;
		size_t n;
	} c[] = {
		{ "logs/pluto_pluto_v2_pluto_a.log", "INFORMATIONAL response has no corresponding IKE SA", 1 },
		{ "logs/pluto_nat_v2_pluto_a.log", "INFORMATIONAL request has no corresponding IKE SA", 2 },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		iks_log *log = log_load(c[k].log);
		size_t n = 0;
		for (size_t i = 0; i < iks_log_nrecords(log); i++) {
			const iks_log_record *r = iks_log_record_at(log, i);
			n += r->kind == IKS_LK_DROPPED && r->text && strstr(r->text, c[k].what) != NULL;
		}
		ck_assert_uint_eq(n, c[k].n);
		ck_assert_uint_eq(count_kind(log, IKS_LK_DROPPED), c[k].n);
		iks_log_free(log);
	}
}
END_TEST

/* Real NAT (r masquerades a, scripts/lab-logs.sh pluto_nat_*): pluto's
 * "sending N bytes" on port 4500 counts the non-ESP marker, "*received N
 * bytes" does not (RFC 3948 2.2); on 500 both count the IKE message. The
 * message length and dumped bytes are the IKE message's either way (the
 * bytes are compared with the capture's by real_logs_join_...). */
START_TEST(pluto_natt_marker_counts)
{
	static const struct {
		const char *log;
		uint32_t sent4500, recv4500, on500;
	} c[] = {
		/* IKEv2: two IKE_AUTH requests out, their responses and charon's two
		 * Deletes in; two IKE_SA_INIT exchanges on 500 */
		{ "logs/pluto_nat_v2_pluto_a.log", 2, 4, 4 },
		/* IKEv1: main mode 5 and 6, a quick mode sent 4 times, charon's
		 * notification in, pluto's Delete out; main mode 1-4 on 500 */
		{ "logs/pluto_nat_v1_pluto_a.log", 6, 2, 4 },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		iks_log *log = log_load(c[k].log);
		uint32_t sent = 0, recv = 0, on500 = 0;
		for (size_t i = 0; i < iks_log_nmessages(log); i++) {
			const iks_log_msg *m = iks_log_message_at(log, i);
			const iks_log_record *r = iks_log_record_at(log, m->record);
			ck_assert(m->has_data);
			ck_assert_uint_eq(m->data_len, m->length);
			if (m->peer_port == 500) {
				ck_assert_uint_eq(m->local_port, 500);
				ck_assert_uint_eq(r->num, m->length);
				on500++;
			} else {
				ck_assert_uint_eq(m->peer_port, 4500);
				ck_assert_uint_eq(m->local_port, 4500);
				if (m->dir == IKS_LOG_SENT) {
					ck_assert_uint_eq(r->num, m->length + 4);
					sent++;
				} else {
					ck_assert_uint_eq(r->num, m->length);
					recv++;
				}
			}
		}
		ck_assert_uint_eq(sent, c[k].sent4500);
		ck_assert_uint_eq(recv, c[k].recv4500);
		ck_assert_uint_eq(on500, c[k].on500);
		iks_log_free(log);
	}
}
END_TEST

/* pluto at the default level: the real plutodebug log without its "| "
 * lines. The four "sent NAME request" lines become messages and join the
 * four requests pluto sent in the capture (exchange, initiator flag). */
START_TEST(pluto_default_level)
{
	char path[1024];
	FILE *fp = fopen(fixture_path("logs/pluto_charon_v2_pluto_a.log", path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(fp);
	size_t cap = 1 << 20, outn = 0;
	char *out = malloc(cap), line[4096];
	while (fgets(line, sizeof(line), fp)) {
		const char *c = strstr(line, ": ");
		if (c && c[2] == '|' && c[3] == ' ')
			continue;
		size_t n = strlen(line);
		ck_assert_uint_lt(outn + n, cap);
		memcpy(out + outn, line, n);
		outn += n;
	}
	fclose(fp);
	iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_parse_buffer(log, "default.log", (const uint8_t *)out, outn), IKS_OK);
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_PLUTO);
	ck_assert_uint_eq(iks_log_nmessages(log), 4);
	ike_cap c;
	cap_load("logs/pluto_charon_v2_a.pcap", &c);
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, c.pkts, c.n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->matched, 4);
	ck_assert_uint_eq(j->matched_exact, 0);
	for (size_t i = 0; i < 4; i++) {
		const iks_log_pkt *p = &c.pkts[j->msg_pkt[i]];
		const iks_log_msg *m = iks_log_message_at(log, i);
		ck_assert_uint_eq(p->exchange, m->exchange);
		ck_assert(p->flags & 0x08); /* IKEv2 initiator: pluto's requests */
		ck_assert(!(p->flags & 0x20));
	}
	ck_assert_uint_eq(count_kind(log, IKS_LK_FAILED), 6);
	iks_log_join_free(j);
	iks_log_free(log);
	cap_free(&c);
	free(out);
}
END_TEST

/* pluto's header blocks alone: the real logs without their hex dump
 * lines. The "parse/emit ISAKMP Message" fields (SPIs as spaced bytes,
 * exchange, flags, message ID) key the join: every packet still joins. */
static bool is_dump_line(const char *line)
{
	const char *c = strstr(line, ": |   ");
	unsigned a, b;
	char sp;
	return c && sscanf(c + 6, "%2x %2x%c", &a, &b, &sp) == 3 && sp == ' ';
}

START_TEST(pluto_headers_without_dumps)
{
	static const struct {
		const char *log, *pcap;
		uint32_t packets;
	} v[] = {
		{ "logs/pluto_charon_v1_pluto_a.log", "logs/pluto_charon_v1_a.pcap", 11 },
		{ "logs/pluto_charon_v2_pluto_a.log", "logs/pluto_charon_v2_a.pcap", 8 },
		{ "logs/pluto_v2_drop_pluto_a.log", "logs/pluto_v2_drop_a.pcap", 12 },
	};
	char path[1024];
	FILE *fp = fopen(fixture_path(v[_i].log, path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(fp);
	size_t cap = 1 << 20, outn = 0, dropped = 0;
	char *out = malloc(cap), line[4096];
	while (fgets(line, sizeof(line), fp)) {
		if (is_dump_line(line)) {
			dropped++;
			continue;
		}
		size_t n = strlen(line);
		ck_assert_uint_lt(outn + n, cap);
		memcpy(out + outn, line, n);
		outn += n;
	}
	fclose(fp);
	ck_assert_uint_gt(dropped, 100);
	iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_parse_buffer(log, "nodump.log", (const uint8_t *)out, outn), IKS_OK);
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_PLUTO);
	ike_cap c;
	cap_load(v[_i].pcap, &c);
	ck_assert_uint_eq(c.n, v[_i].packets);
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, c.pkts, c.n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(j->matched_exact, 0);
	ck_assert_uint_eq(j->matched, c.n);
	for (size_t k = 0; k < c.n; k++) {
		const iks_log_msg *m = iks_log_message_at(log, j->pkt_msg[k]);
		ck_assert_msg(!m->has_data && m->has_cookies && m->has_msgid && m->has_exchange,
			      "%s:%u dir %d: cookies %d msgid %d exchange %d", v[_i].log, m->line, m->dir,
			      m->has_cookies, m->has_msgid, m->has_exchange);
		ck_assert_int_eq(memcmp(m->icookie, c.pkts[k].ispi, 8), 0);
		ck_assert_int_eq(memcmp(m->rcookie, c.pkts[k].rspi, 8), 0);
		ck_assert_uint_eq(m->msgid, c.pkts[k].msgid);
		ck_assert_uint_eq(m->exchange, c.pkts[k].exchange);
		ck_assert_uint_eq(m->length, c.pkts[k].length);
	}
	iks_log_join_free(j);
	iks_log_free(log);
	cap_free(&c);
	free(out);
}
END_TEST

/* The same charon log rewritten into the forms the system loggers and
 * other time_format settings give: each must parse and join the same. */
static const char *const forms[] = {
	"%b %e %H:%M:%S moon charon: ",               /* rsyslog */
	"%b %d %H:%M:%S.%u moon charon[812]: ",       /* journalctl -o short-precise */
	"%Y-%m-%dT%H:%M:%S+0000 moon charon[812]: ",  /* journalctl -o short-iso */
	"%Y-%m-%dT%H:%M:%S.%u+00:00 moon charon: ",   /* rsyslog RFC 3339 */
	"%a %b %e %H:%M:%S %Y ",                      /* time_format = %c */
	"%d.%m.%Y %H:%M:%S.%f ",                      /* a European time_format with ms */
};

/* Write "12:56:26.024 03[NET] ..." with prefix form f (our own tokens:
 * %b %e %d %H %M %S %Y %m %a, %f milliseconds, %u microseconds). */
static size_t reform(const char *f, unsigned h, unsigned mi, unsigned s, unsigned ms, char *out,
		     size_t cap)
{
	size_t n = 0;
	for (const char *p = f; *p && n + 16 < cap; p++) {
		if (*p != '%') {
			out[n++] = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'b': n += (size_t)snprintf(out + n, cap - n, "Dec"); break;
		case 'a': n += (size_t)snprintf(out + n, cap - n, "Thu"); break;
		case 'e': n += (size_t)snprintf(out + n, cap - n, "%2u", 3u); break;
		case 'd': n += (size_t)snprintf(out + n, cap - n, "%02u", 3u); break;
		case 'Y': n += (size_t)snprintf(out + n, cap - n, "2026"); break;
		case 'H': n += (size_t)snprintf(out + n, cap - n, "%02u", h); break;
		case 'M': n += (size_t)snprintf(out + n, cap - n, "%02u", mi); break;
		case 'S': n += (size_t)snprintf(out + n, cap - n, "%02u", s); break;
		case 'u': n += (size_t)snprintf(out + n, cap - n, "%03u%03u", ms, 0u); break;
		case 'm': n += (size_t)snprintf(out + n, cap - n, "12"); break;
		case 'f': n += (size_t)snprintf(out + n, cap - n, "%03u", ms); break;
		default: break;
		}
	}
	return n;
}

START_TEST(charon_forms_parse_and_join_the_same)
{
	char path[1024];
	FILE *fp = fopen(fixture_path("logs/charon_v2_ms_charon_a.log", path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(fp);
	size_t cap = 1 << 20, n = 0, outn = 0;
	char *in = malloc(cap), *out = malloc(2 * cap);
	n = fread(in, 1, cap, fp);
	fclose(fp);
	ck_assert_uint_lt(n, cap);
	/* each line "HH:MM:SS.mmm TT[GRP] ..." gets the form's prefix */
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && in[e] != '\n')
			e++;
		unsigned h, mi, s, ms;
		ck_assert_int_eq(sscanf(in + i, "%2u:%2u:%2u.%3u", &h, &mi, &s, &ms), 4);
		outn += reform(forms[_i], h, mi, s, ms, out + outn, 2 * cap - outn);
		ck_assert_uint_lt(outn + (e - i), 2 * cap);
		memcpy(out + outn, in + i + 13, e - i - 13 + 1);
		outn += e - i - 13 + 1;
		i = e + 1;
	}
	iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
	ck_assert_int_eq(iks_log_parse_buffer(log, "reformed.log", (const uint8_t *)out, outn),
			 IKS_OK);
	ck_assert_int_eq(iks_log_format_of(log), IKS_LOG_CHARON);
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	ike_cap c;
	cap_load("logs/charon_v2_ms_a.pcap", &c);
	iks_log_join *j = NULL;
	ck_assert_int_eq(iks_log_join_run(log, c.pkts, c.n, NULL, &j), IKS_OK);
	ck_assert_uint_eq(iks_log_nmessages(log), 8);
	ck_assert_uint_eq(j->matched, 8);
	ck_assert_uint_eq(j->matched_exact, 8);
	ck_assert(j->has_offset);
	/* the dates say Dec 3 2026 (or Dec 12 for %m): the capture is Dec 3 */
	const iks_log_msg *m = iks_log_message_at(log, 0);
	ck_assert_uint_eq(m->month, 12);
	iks_log_join_free(j);
	iks_log_free(log);
	cap_free(&c);
	free(in);
	free(out);
}
END_TEST

/* Lines in each form, read one at a time. */
START_TEST(charon_prefix_forms)
{
	static const struct {
		const char *line;
		bool timed;
		uint32_t tod_ms, res_us, serial, thread;
		uint8_t month;
	} v[] = {
		{ "11:50:41.045 12[ENC] <t|1> parsed IKE_AUTH response 1 [ IDr AUTH ]", true,
		  42641045, 1000, 1, 12, 0 },
		{ "Dec  3 11:50:41 12[NET] <7> sending packet: from 1.2.3.4[500]", true,
		  42641000, 1000000, 7, 12, 12 },
		{ "2026-12-03 11:50:41 05[IKE] <conn with space|33> x", true, 42641000, 1000000,
		  33, 5, 12 },
		{ "Dec 03 11:50:41.045123 moon charon[812]: 09[NET] x", true, 42641045, 1, 0, 9, 12 },
		{ "12[NET] no time_format at all", false, 0, 0, 0, 12, 0 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		iks_log *log = iks_log_new(IKS_LOG_CHARON, NULL);
		iks_log_parse_buffer(log, "x", (const uint8_t *)v[i].line, strlen(v[i].line));
		const iks_log_record *r = iks_log_record_at(log, 0);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(r->has_time == v[i].timed, "%s", v[i].line);
		ck_assert_msg(r->has_thread && r->thread == v[i].thread, "%s", v[i].line);
		ck_assert_uint_eq(r->serial, v[i].serial);
		if (v[i].timed) {
			ck_assert_uint_eq(r->tod_ms, v[i].tod_ms);
			ck_assert_uint_eq(r->res_us, v[i].res_us);
			ck_assert_uint_eq(r->month, v[i].month);
		}
		iks_log_free(log);
	}
	/* not charon: no thread token, or a time that is not one */
	static const char *const bad[] = { "Dec 99 11:50:41 12[NET] x", "11:61:41 12[NET] x",
					   "hello 12[NET] x", "11:50 12[NET] x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iks_log *log = iks_log_new(IKS_LOG_AUTO, NULL);
		iks_log_parse_buffer(log, "x", (const uint8_t *)bad[i], strlen(bad[i]));
		ck_assert_msg(iks_log_format_of(log) == IKS_LOG_AUTO, "%s", bad[i]);
		iks_log_free(log);
	}
}
END_TEST

Suite *suite_logformats(void)
{
	Suite *s = suite_create("logformats");
	TCase *tc = tcase_create("logformats");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, real_logs_join_every_packet_byte_exact, 0,
			    (int)(sizeof(runs) / sizeof(runs[0])));
	tcase_add_test(tc, pluto_failures_and_suspend);
	tcase_add_test(tc, pluto_no_ike_sa_drops);
	tcase_add_test(tc, pluto_natt_marker_counts);
	tcase_add_test(tc, pluto_default_level);
	tcase_add_loop_test(tc, pluto_headers_without_dumps, 0, 3);
	tcase_add_loop_test(tc, charon_forms_parse_and_join_the_same, 0,
			    (int)(sizeof(forms) / sizeof(forms[0])));
	tcase_add_test(tc, charon_prefix_forms);
	suite_add_tcase(s, tc);
	return s;
}
