/* test_netmon.c - Network Monitor 1.x/2.x capture files: layout, corrupt files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "capture/netmon.h"
#include "suites.h"

/* The whole of a fixture in a malloc'd buffer. */
static uint8_t *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f = fopen(fixture_path(name, path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	uint8_t *buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Read every frame of a buffer; returns the count, *rc the last return. */
static int read_all(const uint8_t *buf, size_t len, const char *name, int *rc, char *msg,
		    size_t msglen)
{
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open_buffer(buf, len, name, NULL, err);
	if (!cap) {
		snprintf(msg, msglen, "%s", err);
		*rc = -100;
		return -1;
	}
	iks_frame f;
	int n = 0;
	while ((*rc = iks_capture_next(cap, &f)) == 1)
		n++;
	snprintf(msg, msglen, "%s", iks_capture_error(cap));
	iks_capture_close(cap);
	return n;
}

START_TEST(header_fields_and_times)
{
	/* scapy_natt.pcap: 24 frames, the first at 1700000000.000000, one per ms */
	static const char *const names[] = { "netmon/scapy_natt.nm2.cap", "netmon/scapy_natt.nm1.cap" };
	for (int v = 0; v < 2; v++) {
		size_t len;
		uint8_t *buf = slurp(names[v], &len);
		netmon_header h;
		const char *reason;
		ck_assert_int_eq(netmon_parse_header(buf, len, &h, &reason), IKS_OK);
		ck_assert_int_eq(h.major, v == 0 ? 2 : 1);
		ck_assert_int_eq(h.media, 1);
		ck_assert_int_eq(h.start_sec, 1700000000);
		ck_assert_uint_eq(h.start_nsec, 0);
		ck_assert_uint_eq(h.table_len, 24 * 4);
		ck_assert_uint_eq(h.table_off, len - 96);
		free(buf);

		char path[1024], err[IKS_ERRBUF_SIZE];
		iks_capture *cap = iks_capture_open(fixture_path(names[v], path, sizeof(path)), NULL, err);
		ck_assert_msg(cap != NULL, "%s", err);
		ck_assert_int_eq(iks_capture_linktype(cap), IKS_LINK_ETHERNET);
		iks_frame f;
		for (uint64_t i = 1; i <= 24; i++) {
			ck_assert_int_eq(iks_capture_next(cap, &f), 1);
			ck_assert_uint_eq(f.number, i);
			ck_assert_int_eq(f.ts_sec, 1700000000);
			ck_assert_uint_eq(f.ts_nsec, (i - 1) * 1000000u);
		}
		ck_assert_int_eq(iks_capture_next(cap, &f), 0);
		iks_capture_close(cap);
	}
}
END_TEST

START_TEST(netmon_reads_like_pcap)
{
	static const char *const names[] = { "netmon/ikev2_cert_fragdrop_a.nm2.cap",
					     "netmon/ikev2_cert_fragdrop_a.nm1.cap" };
	fixture_capture a;
	fixture_load("ikev2_cert_fragdrop_a.pcap", &a);
	for (int v = 0; v < 2; v++) {
		fixture_capture b;
		fixture_load(names[v], &b);
		ck_assert_uint_eq(b.npkts, 30);
		for (size_t i = 0; i < a.npkts; i++) {
			ck_assert_uint_eq(a.pkts[i].frame, b.pkts[i].frame);
			ck_assert_uint_eq(a.pkts[i].flags, b.pkts[i].flags);
			ck_assert_int_eq(memcmp(a.pkts[i].l.ike.ispi, b.pkts[i].l.ike.ispi, 8), 0);
			ck_assert_uint_eq(a.pkts[i].l.ike.msgid, b.pkts[i].l.ike.msgid);
			int64_t da = a.pkts[i].ts_sec * 1000000000 + a.pkts[i].ts_nsec;
			int64_t db = b.pkts[i].ts_sec * 1000000000 + b.pkts[i].ts_nsec;
			ck_assert_int_le(llabs(da - db), v == 0 ? 0 : 500000);
		}
		/* frame 9, IKE_SA_INIT: 1795352565.079846 in the pcap, .080 in 1.x (ms) */
		ck_assert_uint_eq(fixture_frame(&b, 9)->ts_nsec, v == 0 ? 79846000u : 80000000u);
		fixture_free(&b);
	}
	fixture_free(&a);
}
END_TEST

START_TEST(cut_frame_table)
{
	size_t len;
	uint8_t *buf = slurp("netmon/scapy_natt.nm2.cap", &len);
	uint32_t table = le32(buf + 24);
	char msg[IKS_ERRBUF_SIZE];
	int rc;
	/* 10 whole entries and half of the 11th remain */
	ck_assert_int_eq(read_all(buf, table + 42, "cut.cap", &rc, msg, sizeof(msg)), 10);
	ck_assert_int_eq(rc, IKS_E_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(msg, "cut.cap: NetMon 2.x frame 11: frame table cut"));
	ck_assert_ptr_null(strchr(msg, '\n'));
	/* cut inside the frame data: the table is gone, nothing can be located */
	ck_assert_int_eq(read_all(buf, 3000, "cut.cap", &rc, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "cut.cap: NetMon 2.x frame table at offset 6134 lies outside"));
	/* cut inside the header */
	ck_assert_int_eq(read_all(buf, 20, "cut.cap", &rc, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "too short"));
	free(buf);

	/* the same through a file: the message names the file */
	buf = slurp("netmon/scapy_natt.nm1.cap", &len);
	table = le32(buf + 24);
	char tmp[64], err[IKS_ERRBUF_SIZE];
	snprintf(tmp, sizeof(tmp), "/tmp/iks-netmon-XXXXXX");
	int fd = mkstemp(tmp);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, table + 8), (ssize_t)table + 8);
	close(fd);
	iks_capture *cap = iks_capture_open(tmp, NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_frame f;
	ck_assert_int_eq(iks_capture_next(cap, &f), 1);
	ck_assert_int_eq(iks_capture_next(cap, &f), 1);
	ck_assert_int_eq(iks_capture_next(cap, &f), IKS_E_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(iks_capture_error(cap), tmp));
	ck_assert_ptr_nonnull(strstr(iks_capture_error(cap), "NetMon 1.x frame 3: frame table cut"));
	iks_capture_close(cap);
	unlink(tmp);
	free(buf);
}
END_TEST

START_TEST(offsets_and_lengths_past_the_end)
{
	size_t len;
	uint8_t *buf = slurp("netmon/scapy_natt.nm2.cap", &len);
	uint32_t table = le32(buf + 24);
	char msg[IKS_ERRBUF_SIZE];
	int rc;

	/* frame 5's table entry points past the end */
	uint8_t *b = malloc(len);
	memcpy(b, buf, len);
	put_le32(b + table + 16, 0x7ffffff0u);
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), 4);
	ck_assert_int_eq(rc, IKS_E_TRUNCATED);
	ck_assert_msg(strstr(msg, "x.cap: NetMon 2.x frame 5: record at offset 2147483632 runs past "
				  "the end of the file (6230 bytes)") != NULL, "%s", msg);

	/* frame 5's entry points inside the header */
	memcpy(b, buf, len);
	put_le32(b + table + 16, 8);
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), 4);
	ck_assert_int_eq(rc, IKS_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(msg, "frame 5: record offset 8 lies inside the file header"));

	/* frame 2's captured length is absurd */
	memcpy(b, buf, len);
	uint32_t rec2 = le32(b + table + 4);
	put_le32(b + rec2 + 12, 0xfffffff0u);
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), 1);
	ck_assert_int_eq(rc, IKS_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(msg, "frame 2: captured length 4294967280 is absurd"));

	/* frame 24 (the last) claims more bytes than the file holds */
	memcpy(b, buf, len);
	uint32_t rec24 = le32(b + table + 23 * 4);
	put_le32(b + rec24 + 12, 200000);
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), 23);
	ck_assert_int_eq(rc, IKS_E_TRUNCATED);
	ck_assert_msg(strstr(msg, "frame 24: 200000 bytes of frame data at offset") != NULL, "%s", msg);

	/* an absurd time offset */
	memcpy(b, buf, len);
	put_le32(b + rec2 + 4, 0xffffffffu);
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), 1);
	ck_assert_int_eq(rc, IKS_E_FORMAT);
	ck_assert_ptr_nonnull(strstr(msg, "frame 2: time offset"));

	/* header: an impossible date, a table length not a multiple of 4 */
	memcpy(b, buf, len);
	b[10] = 13; /* month */
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "x.cap: bad Network Monitor header: capture start time"));
	memcpy(b, buf, len);
	b[28] = 97;
	ck_assert_int_eq(read_all(b, len, "x.cap", &rc, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "not a multiple of 4"));
	free(b);
	free(buf);

	/* 1.x: 16-bit lengths; frame 3 claims 65535 bytes */
	buf = slurp("netmon/scapy_natt.nm1.cap", &len);
	table = le32(buf + 24);
	uint32_t rec3 = le32(buf + table + 8);
	buf[rec3 + 6] = 0xff;
	buf[rec3 + 7] = 0xff;
	ck_assert_int_eq(read_all(buf, len, "y.cap", &rc, msg, sizeof(msg)), 2);
	ck_assert_int_eq(rc, IKS_E_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(msg, "y.cap: NetMon 1.x frame 3: 65535 bytes of frame data"));
	free(buf);
}
END_TEST

/* A 2.x image built here: n Ethernet-less frames of raw IPv4 with a 2.1
 * trailer naming media type 8 (wireless WAN: bare IP). */
START_TEST(version_2_1_trailer_gives_the_frame_media)
{
	uint8_t img[512];
	memset(img, 0, sizeof(img));
	memcpy(img, "GMBU", 4);
	img[4] = 1; /* 2.1 */
	img[5] = 2;
	img[6] = 1; /* file media: Ethernet */
	static const uint16_t st[8] = { 2026, 11, 0, 22, 13, 5, 12, 849 };
	for (int i = 0; i < 8; i++) {
		img[8 + 2 * i] = (uint8_t)st[i];
		img[9 + 2 * i] = (uint8_t)(st[i] >> 8);
	}
	size_t off = 128;
	/* record: 755 us after the start, 20 bytes (an IPv4 header), trailer media 8 */
	put_le32(img + off, 755);
	put_le32(img + off + 8, 20);
	put_le32(img + off + 12, 20);
	img[off + 16] = 0x45;
	img[off + 18] = 0;
	img[off + 19] = 20;
	img[off + 36] = 8;
	size_t table = off + 16 + 20 + 15;
	put_le32(img + table, (uint32_t)off);
	put_le32(img + 24, (uint32_t)table);
	put_le32(img + 28, 4);
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open_buffer(img, table + 4, "v21.cap", NULL, err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_frame f;
	ck_assert_int_eq(iks_capture_next(cap, &f), 1);
	ck_assert_int_eq(f.linktype, IKS_LINK_RAW);
	ck_assert_uint_eq(f.caplen, 20);
	ck_assert_int_eq(f.ts_sec, 1795352712);
	ck_assert_uint_eq(f.ts_nsec, 849755000);
	ck_assert_int_eq(iks_capture_next(cap, &f), 0);
	iks_capture_close(cap);

	/* with a filter compiled for the file's Ethernet, the raw frame is refused clearly */
	cap = iks_capture_open_buffer(img, table + 4, "v21.cap", "udp", err);
	ck_assert_msg(cap != NULL, "%s", err);
	ck_assert_int_eq(iks_capture_next(cap, &f), IKS_E_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(iks_capture_error(cap), "v21.cap: frame 1: link type 101"));
	iks_capture_close(cap);
}
END_TEST

/* Deterministic damage: every byte of the header and table, and a byte
 * every 7 of the rest, flipped in turn; nothing may crash or over-read
 * (the sanitizer build checks), every failure has a message. */
START_TEST(flipped_bytes_never_crash)
{
	size_t len;
	uint8_t *buf = slurp("netmon/scapy_natt.nm2.cap", &len);
	uint32_t table = le32(buf + 24);
	uint8_t *b = malloc(len);
	int errors = 0;
	for (size_t i = 0; i < len; i += (i < 64 || i >= table) ? 1 : 7) {
		memcpy(b, buf, len);
		b[i] ^= 0xa5;
		char msg[IKS_ERRBUF_SIZE];
		int rc;
		read_all(b, len, "flip.cap", &rc, msg, sizeof(msg));
		if (rc != 0) {
			errors++;
			ck_assert_msg(strstr(msg, "flip.cap") != NULL, "byte %zu: no message", i);
		}
	}
	ck_assert_int_gt(errors, 10);
	free(b);
	free(buf);
}
END_TEST

START_TEST(pcap_through_a_buffer)
{
	size_t len;
	uint8_t *buf = slurp("scapy_natt.pcap", &len);
	char msg[IKS_ERRBUF_SIZE];
	int rc;
	ck_assert_int_eq(read_all(buf, len, "mem.pcap", &rc, msg, sizeof(msg)), 24);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(read_all(buf, 10, "mem.pcap", &rc, msg, sizeof(msg)), -1);
	ck_assert_ptr_nonnull(strstr(msg, "mem.pcap"));
	free(buf);
}
END_TEST

Suite *suite_netmon(void)
{
	Suite *s = suite_create("netmon");
	TCase *tc = tcase_create("netmon");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, header_fields_and_times);
	tcase_add_test(tc, netmon_reads_like_pcap);
	tcase_add_test(tc, cut_frame_table);
	tcase_add_test(tc, offsets_and_lengths_past_the_end);
	tcase_add_test(tc, version_2_1_trailer_gives_the_frame_media);
	tcase_add_test(tc, flipped_bytes_never_crash);
	tcase_add_test(tc, pcap_through_a_buffer);
	suite_add_tcase(s, tc);
	return s;
}
