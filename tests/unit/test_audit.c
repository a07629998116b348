/* test_audit.c - IPsec audit event exports: text, CSV, odd input, caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

static uint8_t *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f = fopen(fixture_path(name, path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	rewind(f);
	uint8_t *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static iks_audit *parse(const char *text, size_t len, const iks_audit_limits *lim, iks_status *st)
{
	iks_audit *a = iks_audit_new(lim);
	ck_assert_ptr_nonnull(a);
	*st = iks_audit_parse_buffer(a, (const uint8_t *)text, len);
	return a;
}

/* 2026-11-22 00:00:00 UTC */
#define DAY0 1795305600LL

START_TEST(wevtutil_text_from_the_generator)
{
	size_t len;
	uint8_t *buf = slurp("events/ikev2_psk_natt_events_a.txt", &len);
	iks_status st;
	iks_audit *a = parse((const char *)buf, len, NULL, &st);
	ck_assert_int_eq(st, IKS_OK);
	ck_assert_uint_eq(iks_audit_nevents(a), 10);
	iks_audit_stats s;
	iks_audit_get_stats(a, &s);
	ck_assert_int_eq(s.format, IKS_AUDIT_TEXT);
	ck_assert_uint_eq(s.ipsec_events, 9);
	ck_assert_uint_eq(s.unknown_fields, 3);
	ck_assert_uint_eq(s.bad_values, 0);

	const iks_audit_event *mm = iks_audit_event_at(a, 0);
	ck_assert_uint_eq(mm->id, 541);
	ck_assert_uint_eq(mm->line, 1);
	ck_assert_int_eq(mm->mode_kind, IKS_AUDIT_MAIN_MODE);
	ck_assert_str_eq(mm->computer, "HOST-A");
	ck_assert_str_eq(mm->summary, "IKE security association established.");
	ck_assert_str_eq(mm->peer_identity, "Preshared key ID.");
	ck_assert(!mm->has_spi);

	const iks_audit_event *qm = iks_audit_event_at(a, 1);
	ck_assert_uint_eq(qm->id, 541);
	ck_assert_uint_eq(qm->line, 37);
	ck_assert_int_eq(qm->mode_kind, IKS_AUDIT_QUICK_MODE);
	ck_assert(qm->has_spi && !qm->soft_sa);
	ck_assert_uint_eq(qm->spi_in, 0x6a1e352a);
	ck_assert_uint_eq(qm->spi_out, 0xfe7eaf53);
	ck_assert_str_eq(qm->esp_alg, "AES-128");
	ck_assert_str_eq(qm->auth_alg, "SHA1");
	ck_assert(qm->has_time);
	ck_assert_uint_eq(qm->resolution_ms, 1);
	ck_assert_int_eq(qm->time_ns, (DAY0 + 11 * 3600 + 5 * 60 + 13) * 1000000000LL + 863000000LL);
	char s1[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&qm->filter_src, s1, sizeof(s1)), "203.0.113.1");
	ck_assert_str_eq(iks_addr_format(&qm->local, s1, sizeof(s1)), "192.0.2.1");
	ck_assert_str_eq(iks_addr_format(&qm->peer, s1, sizeof(s1)), "198.51.100.1");
	bool unknown = false;
	for (uint32_t i = 0; i < qm->nfields; i++)
		if (!qm->fields[i].known) {
			ck_assert_str_eq(qm->fields[i].section, "Filter");
			ck_assert_str_eq(qm->fields[i].name, "Dynamic Filter Key");
			ck_assert_str_eq(qm->fields[i].value, "0x0000352a");
			unknown = true;
		}
	ck_assert(unknown);

	const iks_audit_event *soft = iks_audit_event_at(a, 2);
	ck_assert(soft->has_spi && soft->soft_sa);
	ck_assert_uint_eq(soft->spi_in, 0x00c0ffee);
	ck_assert_uint_eq(soft->spi_out, 0);
	ck_assert_uint_eq(iks_audit_event_at(a, 3)->id, 576);
	iks_audit_free(a);
	free(buf);
}
END_TEST

START_TEST(event_viewer_csv_from_the_generator)
{
	size_t len;
	uint8_t *buf = slurp("events/ikev2_psk_natt_events_b.csv", &len);
	iks_status st;
	iks_audit *a = parse((const char *)buf, len, NULL, &st);
	ck_assert_int_eq(st, IKS_OK);
	ck_assert_uint_eq(iks_audit_nevents(a), 8);
	iks_audit_stats s;
	iks_audit_get_stats(a, &s);
	ck_assert_int_eq(s.format, IKS_AUDIT_CSV);
	const iks_audit_event *e = iks_audit_event_at(a, 1);
	ck_assert_uint_eq(e->id, 541);
	ck_assert_uint_eq(e->line, 24);
	ck_assert_str_eq(e->computer, "HOST-B");
	ck_assert_uint_eq(e->spi_in, 0xfe7eaf53);
	ck_assert_uint_eq(e->spi_out, 0x6a1e352a);
	ck_assert_uint_eq(e->resolution_ms, 1000);
	/* "11/22/2026 2:05:12 PM" */
	ck_assert_int_eq(e->time_ns, (DAY0 + 14 * 3600 + 5 * 60 + 12) * 1000000000LL);
	const iks_audit_event *d = iks_audit_event_at(a, 7);
	ck_assert_uint_eq(d->id, 543);
	ck_assert_int_eq(d->mode_kind, IKS_AUDIT_MAIN_MODE);
	iks_audit_free(a);
	free(buf);
}
END_TEST

/* The old Event Viewer CSV: no header row, description flattened to one line. */
START_TEST(old_csv_with_a_flattened_description)
{
	static const char csv[] =
		"11/22/2026,1:05:14 PM,Security,Failure Audit,Logon/Logoff,547,NT AUTHORITY\\NETWORK "
		"SERVICE,HOST-A,\"IKE security association negotiation failed. Mode: Key Exchange Mode "
		"(Main Mode) Filter: Source IP Address 192.0.2.1 Source IP Address Mask 255.255.255.255 "
		"Destination IP Address 198.51.100.1 Destination IP Address Mask 255.255.255.255 "
		"Protocol 17 Source Port 500 Destination Port 500 IKE Local Addr 192.0.2.1 IKE Peer "
		"Addr 198.51.100.1 Peer Identity: Failure Point: Me Failure Reason: No response from "
		"peer Extra Status: 0x0\"\r\n";
	iks_status st;
	iks_audit *a = parse(csv, sizeof(csv) - 1, NULL, &st);
	ck_assert_int_eq(st, IKS_OK);
	ck_assert_uint_eq(iks_audit_nevents(a), 1);
	const iks_audit_event *e = iks_audit_event_at(a, 0);
	ck_assert_uint_eq(e->id, 547);
	ck_assert_int_eq(e->mode_kind, IKS_AUDIT_MAIN_MODE);
	ck_assert_str_eq(e->failure_point, "Me");
	ck_assert_str_eq(e->failure_reason, "No response from peer");
	ck_assert_uint_eq(e->failure_code, 13813);
	ck_assert_uint_eq(e->protocol, 17);
	ck_assert_uint_eq(e->sport, 500);
	ck_assert_uint_eq(e->dport, 500);
	char s1[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&e->filter_dst, s1, sizeof(s1)), "198.51.100.1");
	ck_assert_str_eq(iks_addr_format(&e->peer, s1, sizeof(s1)), "198.51.100.1");
	ck_assert_int_eq(e->time_ns, (DAY0 + 13 * 3600 + 5 * 60 + 14) * 1000000000LL);
	iks_audit_free(a);
}
END_TEST

/* Event Viewer "Event Properties" text, saved as UTF-16LE with a BOM. */
START_TEST(event_viewer_text_in_utf16)
{
	static const char text[] =
		"Event Type:\tSuccess Audit\r\nEvent Source:\tSecurity\r\nEvent Category:\tLogon/Logoff \r\n"
		"Event ID:\t542\r\nDate:\t\t11/22/2026\r\nTime:\t\t1:05:17 PM\r\nUser:\t\tNT AUTHORITY\\NETWORK SERVICE\r\n"
		"Computer:\tHOST-A\r\nDescription:\r\nIKE security association ended.\r\n\r\n Mode: \r\n"
		"Data Protection Mode (Quick mode)\r\n\r\n Filter: \r\nSource IP Address 203.0.113.1\r\n"
		"Destination IP Address 203.0.113.129\r\nInbound SPI 1780364586 (0x6a1e352a)\r\n"
		"Outbound SPI 4269715283 (0xfe7eaf53)\r\nSome New Field: kept\r\n";
	size_t n = sizeof(text) - 1;
	uint8_t *u = malloc(2 * n + 2);
	u[0] = 0xff;
	u[1] = 0xfe;
	for (size_t i = 0; i < n; i++) {
		u[2 + 2 * i] = (uint8_t)text[i];
		u[3 + 2 * i] = 0;
	}
	iks_audit *a = iks_audit_new(NULL);
	ck_assert_int_eq(iks_audit_parse_buffer(a, u, 2 * n + 2), IKS_OK);
	ck_assert_uint_eq(iks_audit_nevents(a), 1);
	const iks_audit_event *e = iks_audit_event_at(a, 0);
	ck_assert_uint_eq(e->id, 542);
	ck_assert_int_eq(e->mode_kind, IKS_AUDIT_QUICK_MODE);
	ck_assert(e->has_spi);
	ck_assert_uint_eq(e->spi_in, 0x6a1e352a);
	ck_assert_uint_eq(e->spi_out, 0xfe7eaf53);
	ck_assert_int_eq(e->time_ns, (DAY0 + 13 * 3600 + 5 * 60 + 17) * 1000000000LL);
	iks_audit_stats s;
	iks_audit_get_stats(a, &s);
	ck_assert_uint_eq(s.unknown_fields, 1);
	const iks_audit_field *last = &e->fields[e->nfields - 1];
	ck_assert_str_eq(last->name, "Some New Field");
	ck_assert_str_eq(last->value, "kept");
	ck_assert(!last->known);
	iks_audit_free(a);
	free(u);
}
END_TEST

START_TEST(reasons_map_to_the_ike_error_table)
{
	ck_assert_uint_eq(iks_audit_reason_code("No response from peer."), 13813);
	ck_assert_uint_eq(iks_audit_reason_code("  negotiation timed out "), 13805);
	ck_assert_uint_eq(iks_audit_reason_code("IKE authentication credentials are unacceptable"), 13801);
	ck_assert_uint_eq(iks_audit_reason_code("13806"), 13806);
	ck_assert_uint_eq(iks_audit_reason_code("the network cable is unplugged"), 0);
	ck_assert_uint_eq(iks_audit_reason_code(NULL), 0);

	/* SPIs written twice must agree */
	static const char bad[] = "Event[0]:\n  Event ID: 541\n  Description:\nx\nParameters:\n"
				  "InboundSpi 12 (0x13)\nOutBoundSpi 1 (0x1)\n";
	iks_status st;
	iks_audit *a = parse(bad, sizeof(bad) - 1, NULL, &st);
	ck_assert_uint_eq(iks_audit_nevents(a), 1);
	ck_assert(!iks_audit_event_at(a, 0)->has_spi);
	iks_audit_stats s;
	iks_audit_get_stats(a, &s);
	ck_assert_uint_eq(s.bad_values, 1);
	iks_audit_free(a);
}
END_TEST

START_TEST(caps_are_reported)
{
	size_t len;
	uint8_t *buf = slurp("events/ikev1_psk_natt_events_a.txt", &len);
	iks_audit_limits lim = { 0 };
	lim.events_max = 2;
	iks_status st;
	iks_audit *a = parse((const char *)buf, len, &lim, &st);
	ck_assert_int_eq(st, IKS_E_LIMIT);
	ck_assert_uint_eq(iks_audit_nevents(a), 2);
	iks_audit_stats s;
	iks_audit_get_stats(a, &s);
	ck_assert_str_eq(s.limit, "events_max");
	ck_assert_uint_eq(s.dropped, 8);
	ck_assert_uint_eq(s.events, 10);
	iks_audit_free(a);

	memset(&lim, 0, sizeof(lim));
	lim.fields_max = 5;
	a = parse((const char *)buf, len, &lim, &st);
	ck_assert_int_eq(st, IKS_E_LIMIT);
	ck_assert_uint_eq(iks_audit_nevents(a), 10);
	ck_assert_uint_le(iks_audit_event_at(a, 0)->nfields, 5);
	iks_audit_get_stats(a, &s);
	ck_assert_str_eq(s.limit, "fields_max");
	iks_audit_free(a);

	memset(&lim, 0, sizeof(lim));
	lim.text_max = 1000;
	a = parse((const char *)buf, len, &lim, &st);
	ck_assert_int_eq(st, IKS_E_LIMIT);
	iks_audit_get_stats(a, &s);
	ck_assert_str_eq(s.limit, "text_max");
	iks_audit_free(a);
	free(buf);
}
END_TEST

/* Every cut of both fixtures, and bytes flipped in turn, parse without a
 * crash or an over-read (the sanitizer build checks). */
START_TEST(cut_and_damaged_input)
{
	static const char *const names[] = { "events/ikev2_cert_fragdrop_events_a.txt",
					     "events/ikev2_cert_fragdrop_events_b.csv" };
	for (int k = 0; k < 2; k++) {
		size_t len;
		uint8_t *buf = slurp(names[k], &len);
		for (size_t cut = 0; cut <= len; cut++) {
			iks_audit *a = iks_audit_new(NULL);
			ck_assert_int_eq(iks_audit_parse_buffer(a, buf, cut), IKS_OK);
			iks_audit_free(a);
		}
		uint8_t *b = malloc(len);
		for (size_t i = 0; i < len; i++) {
			memcpy(b, buf, len);
			b[i] = (uint8_t)(b[i] ^ (i % 3 == 0 ? 0x22 : i % 3 == 1 ? 0x0a : 0x80));
			iks_audit *a = iks_audit_new(NULL);
			ck_assert_int_eq(iks_audit_parse_buffer(a, b, len), IKS_OK);
			iks_audit_free(a);
		}
		/* whole: one 547 with its reason */
		iks_audit *a = iks_audit_new(NULL);
		ck_assert_int_eq(iks_audit_parse_buffer(a, buf, len), IKS_OK);
		ck_assert_uint_eq(iks_audit_nevents(a), 1);
		ck_assert_uint_eq(iks_audit_event_at(a, 0)->failure_code, k == 0 ? 13813 : 13805);
		iks_audit_free(a);
		free(b);
		free(buf);
	}
	iks_audit *a = iks_audit_new(NULL);
	ck_assert_int_eq(iks_audit_parse_buffer(a, NULL, 0), IKS_OK);
	ck_assert_int_eq(iks_audit_parse_buffer(a, NULL, 3), IKS_E_INVALID);
	ck_assert_uint_eq(iks_audit_nevents(a), 0);
	iks_audit_free(a);
}
END_TEST

/* Found by fuzz_audit (UBSan: the year 1616 overflowed epoch nanoseconds):
 * dates outside what an int64_t of nanoseconds holds leave the event
 * without a time; the next event keeps its own. */
START_TEST(dates_out_of_range_have_no_time)
{
	size_t len;
	uint8_t *buf = slurp("regress/audit_date_out_of_range.txt", &len);
	iks_audit *a = iks_audit_new(NULL);
	ck_assert_int_eq(iks_audit_parse_buffer(a, buf, len), IKS_OK);
	ck_assert_uint_eq(iks_audit_nevents(a), 3);
	ck_assert(!iks_audit_event_at(a, 0)->has_time);
	ck_assert(!iks_audit_event_at(a, 1)->has_time);
	const iks_audit_event *ev = iks_audit_event_at(a, 2);
	ck_assert(ev->has_time);
	ck_assert_int_eq(ev->time_ns, 1795345513857000000LL); /* 2026-11-22T11:05:13.857Z */
	ck_assert_uint_eq(ev->id, 541);
	iks_audit_free(a);
	free(buf);
}
END_TEST

Suite *suite_audit(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, wevtutil_text_from_the_generator);
	tcase_add_test(tc, event_viewer_csv_from_the_generator);
	tcase_add_test(tc, old_csv_with_a_flattened_description);
	tcase_add_test(tc, event_viewer_text_in_utf16);
	tcase_add_test(tc, reasons_map_to_the_ike_error_table);
	tcase_add_test(tc, caps_are_reported);
	tcase_add_test(tc, cut_and_damaged_input);
	tcase_add_test(tc, dates_out_of_range_have_no_time);
	suite_add_tcase(s, tc);
	return s;
}
