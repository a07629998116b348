/* test_capture.c - reading capture files: formats, filters, bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "suites.h"

/* Copy the first `keep` bytes of a fixture to a temporary file. */
static void cut_copy(const char *name, long keep, char *tmp, size_t tmplen)
{
	char path[1024];
	FILE *in = fopen(fixture_path(name, path, sizeof(path)), "rb");
	ck_assert_ptr_nonnull(in);
	snprintf(tmp, tmplen, "/tmp/iks-capture-XXXXXX");
	int fd = mkstemp(tmp);
	ck_assert_int_ge(fd, 0);
	FILE *out = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(out);
	int c;
	for (long i = 0; (keep < 0 || i < keep) && (c = fgetc(in)) != EOF; i++)
		fputc(c, out);
	fclose(in);
	fclose(out);
}

START_TEST(missing_file_names_the_file)
{
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open("/nonexistent/x.pcap", NULL, err);
	ck_assert_ptr_null(cap);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.pcap"));
	ck_assert_ptr_null(strchr(err, '\n'));
	iks_capture_close(NULL);
}
END_TEST

START_TEST(not_a_capture)
{
	char tmp[64], err[IKS_ERRBUF_SIZE];
	snprintf(tmp, sizeof(tmp), "/tmp/iks-garbage-XXXXXX");
	int fd = mkstemp(tmp);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "this is not a capture file at all\n", 34), 34);
	close(fd);
	ck_assert_ptr_null(iks_capture_open(tmp, NULL, err));
	ck_assert_ptr_nonnull(strstr(err, tmp));
	unlink(tmp);
}
END_TEST

START_TEST(truncated_file_is_an_error_after_the_good_frames)
{
	char tmp[64], err[IKS_ERRBUF_SIZE];
	/* 24-byte file header + 8 whole records of plain_frag_a.pcap + part of the 9th */
	char path[1024];
	iks_capture *full = iks_capture_open(fixture_path("plain_frag_a.pcap", path, sizeof(path)),
					     NULL, err);
	ck_assert_ptr_nonnull(full);
	iks_frame f;
	long off = 24;
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(iks_capture_next(full, &f), 1);
		off += 16 + (long)f.caplen;
	}
	iks_capture_close(full);
	cut_copy("plain_frag_a.pcap", off + 30, tmp, sizeof(tmp));
	iks_capture *cap = iks_capture_open(tmp, NULL, err);
	ck_assert_ptr_nonnull(cap);
	int rc, n = 0;
	while ((rc = iks_capture_next(cap, &f)) == 1)
		n++;
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(rc, IKS_E_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(iks_capture_error(cap), tmp));
	ck_assert_ptr_nonnull(strstr(iks_capture_error(cap), "after frame 8"));
	iks_capture_close(cap);
	unlink(tmp);

	/* a file cut inside its 24-byte header cannot be opened */
	cut_copy("plain_frag_a.pcap", 10, tmp, sizeof(tmp));
	ck_assert_ptr_null(iks_capture_open(tmp, NULL, err));
	ck_assert_ptr_nonnull(strstr(err, tmp));
	unlink(tmp);
}
END_TEST

START_TEST(filter_keeps_frame_numbers)
{
	char path[1024], err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(fixture_path("ikev2_psk_natt_a.pcap", path, sizeof(path)),
					    "udp port 500", err);
	ck_assert_msg(cap != NULL, "%s", err);
	iks_frame f;
	ck_assert_int_eq(iks_capture_next(cap, &f), 1);
	ck_assert_uint_eq(f.number, 9);
	ck_assert_int_eq(iks_capture_next(cap, &f), 1);
	ck_assert_uint_eq(f.number, 10);
	ck_assert_int_eq(iks_capture_next(cap, &f), 0);
	iks_capture_close(cap);

	ck_assert_ptr_null(iks_capture_open(path, "udp port and nonsense (", err));
	ck_assert_ptr_nonnull(strstr(err, "bad filter"));
}
END_TEST

START_TEST(pcapng_reads_like_pcap)
{
	fixture_capture a, b;
	fixture_load("ikev2_cert_fragdrop_a.pcap", &a);
	fixture_load("ikev2_cert_fragdrop_a.pcapng", &b);
	ck_assert_uint_eq(a.npkts, 30);
	ck_assert_uint_eq(a.npkts, b.npkts);
	for (size_t i = 0; i < a.npkts; i++) {
		ck_assert_uint_eq(a.pkts[i].frame, b.pkts[i].frame);
		ck_assert_int_eq(a.pkts[i].ts_sec, b.pkts[i].ts_sec);
		ck_assert_uint_eq(a.pkts[i].ts_nsec, b.pkts[i].ts_nsec);
		ck_assert_uint_eq(a.pkts[i].flags, b.pkts[i].flags);
		ck_assert_int_eq(memcmp(a.pkts[i].l.ike.ispi, b.pkts[i].l.ike.ispi, 8), 0);
		ck_assert_uint_eq(a.pkts[i].l.ike.msgid, b.pkts[i].l.ike.msgid);
	}
	/* microsecond pcap: nanoseconds are whole microseconds */
	ck_assert_uint_eq(fixture_frame(&a, 9)->ts_nsec, 79846000);
	fixture_free(&a);
	fixture_free(&b);
}
END_TEST

START_TEST(addresses_format)
{
	iks_addr a = { 6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 } };
	char s[IKS_ADDRSTRLEN];
	ck_assert_str_eq(iks_addr_format(&a, s, sizeof(s)), "2001:db8::1:0:0:1");
	iks_addr z = { 6, { 0 } };
	ck_assert_str_eq(iks_addr_format(&z, s, sizeof(s)), "::");
	iks_addr l = { 6, { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x7c, 0xde, 0xa2, 0xff, 0xfe, 0x37, 0x1b, 0xf5 } };
	ck_assert_str_eq(iks_addr_format(&l, s, sizeof(s)), "fe80::7cde:a2ff:fe37:1bf5");
	iks_addr v4 = { 4, { 198, 51, 100, 1 } };
	ck_assert_str_eq(iks_addr_format(&v4, s, sizeof(s)), "198.51.100.1");
	ck_assert_str_eq(iks_strerror(IKS_E_TRUNCATED), "input ends before the structure does");
	ck_assert_str_eq(iks_status_name(IKS_E_MALFORMED), "malformed");
}
END_TEST

/* A pcap file of three Ethernet frames in the given byte order and time
 * resolution, with a snapshot length of 100: frame 2 has 150 bytes
 * recorded (libpcap keeps 100 and skips the rest), frame 3 an original
 * length below its captured one. */
static size_t build_pcap(uint8_t *out, bool big_endian, bool nsec)
{
	size_t n = 0;
#define PUT32(v) do { uint32_t v_ = (v); for (int i_ = 0; i_ < 4; i_++) \
		out[n++] = (uint8_t)(big_endian ? v_ >> (24 - 8 * i_) : v_ >> (8 * i_)); } while (0)
#define PUT16(v) do { uint16_t v_ = (v); out[n++] = (uint8_t)(big_endian ? v_ >> 8 : v_); \
		out[n++] = (uint8_t)(big_endian ? v_ : v_ >> 8); } while (0)
	PUT32(nsec ? 0xa1b23c4du : 0xa1b2c3d4u);
	PUT16(2);
	PUT16(4);
	PUT32(0);
	PUT32(0);
	PUT32(100);
	PUT32(1);
	static const uint32_t caplen[3] = { 60, 150, 80 }, len[3] = { 60, 1500, 70 };
	for (uint32_t k = 0; k < 3; k++) {
		PUT32(1800000000u + k);
		PUT32(nsec ? 123456789u + k : 999999u - k);
		PUT32(caplen[k]);
		PUT32(len[k]);
		for (uint32_t i = 0; i < caplen[k]; i++)
			out[n++] = (uint8_t)(k * 31 + i);
	}
#undef PUT32
#undef PUT16
	return n;
}

START_TEST(pcap_files_read_as_libpcap_reads_them)
{
	static uint8_t buf[1024];
	for (int v = 0; v < 4; v++) {
		bool be = v & 1, ns = v & 2;
		size_t n = build_pcap(buf, be, ns);
		char tmp[64], err[IKS_ERRBUF_SIZE];
		snprintf(tmp, sizeof(tmp), "/tmp/iks-pcapfile-XXXXXX");
		int fd = mkstemp(tmp);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
		close(fd);
		/* a named file: our reader; a buffer: libpcap (fmemopen) */
		iks_capture *own = iks_capture_open(tmp, NULL, err);
		iks_capture *ref = iks_capture_open_buffer(buf, n, "ref", NULL, err);
		ck_assert(own && ref);
		ck_assert_int_eq(iks_capture_linktype(own), iks_capture_linktype(ref));
		ck_assert_uint_eq(iks_capture_snaplen(own), iks_capture_snaplen(ref));
		iks_frame a, b;
		int ra, rb, k = 0;
		while ((ra = iks_capture_next(own, &a)) == 1) {
			rb = iks_capture_next(ref, &b);
			ck_assert_int_eq(rb, 1);
			ck_assert_uint_eq(a.number, b.number);
			ck_assert_int_eq(a.ts_sec, b.ts_sec);
			ck_assert_uint_eq(a.ts_nsec, b.ts_nsec);
			ck_assert_uint_eq(a.caplen, b.caplen);
			ck_assert_uint_eq(a.wirelen, b.wirelen);
			ck_assert_int_eq(memcmp(a.data, b.data, a.caplen), 0);
			/* the construction's own answer */
			ck_assert_int_eq(a.ts_sec, 1800000000 + k);
			ck_assert_uint_eq(a.ts_nsec, ns ? 123456789u + (unsigned)k : (999999u - (unsigned)k) * 1000u);
			ck_assert_uint_eq(a.caplen, k == 0 ? 60 : k == 1 ? 100 : 80);
			ck_assert_uint_eq(a.wirelen, k == 0 ? 60 : k == 1 ? 1500 : 80);
			k++;
		}
		ck_assert_int_eq(ra, 0);
		ck_assert_int_eq(iks_capture_next(ref, &b), 0);
		ck_assert_int_eq(k, 3);
		iks_capture_close(own);
		iks_capture_close(ref);
		unlink(tmp);
	}
}
END_TEST

Suite *suite_capture(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("files");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, missing_file_names_the_file);
	tcase_add_test(tc, not_a_capture);
	tcase_add_test(tc, truncated_file_is_an_error_after_the_good_frames);
	tcase_add_test(tc, filter_keeps_frame_numbers);
	tcase_add_test(tc, pcapng_reads_like_pcap);
	tcase_add_test(tc, pcap_files_read_as_libpcap_reads_them);
	tcase_add_test(tc, addresses_format);
	suite_add_tcase(s, tc);
	return s;
}
