/* test_text.c - core/text.h (hex digits, hex strings, IP addresses in text)
 * and the edge cases its three callers relied on: key files (a whole
 * field), log patterns (%4 a dotted quad with text after it, %a a run of
 * hex digits, ':' and '.') and audit exports (the first word of a value,
 * after blanks). */
#include <string.h>

#include <ikescope/audit.h>

#include "core/text.h"
#include "log/logpat.h"
#include "suites.h"

static bool ip(const char *s, iks_addr *a)
{
	return text_ip(s, strlen(s), a);
}

static void assert_v4(const iks_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	ck_assert_int_eq(a->family, 4);
	ck_assert_uint_eq(a->bytes[0], b0);
	ck_assert_uint_eq(a->bytes[1], b1);
	ck_assert_uint_eq(a->bytes[2], b2);
	ck_assert_uint_eq(a->bytes[3], b3);
	for (int i = 4; i < 16; i++)
		ck_assert_uint_eq(a->bytes[i], 0);
}

START_TEST(hex_digits)
{
	const char *digits = "0123456789abcdefABCDEF";
	for (int i = 0; digits[i]; i++)
		ck_assert_int_eq(text_hexval(digits[i]), i < 16 ? i : i - 6);
	/* the neighbours of each range, and bytes above 0x7f */
	const char *not_hex = "/:@G`g xX-";
	for (int i = 0; not_hex[i]; i++)
		ck_assert_int_eq(text_hexval(not_hex[i]), -1);
	ck_assert_int_eq(text_hexval(0), -1);
	ck_assert_int_eq(text_hexval(0xe9), -1);
	ck_assert_int_eq(text_hexval((char)0xe9), -1);
}
END_TEST

START_TEST(hex_strings)
{
	uint8_t out[4] = { 0 };
	ck_assert_int_eq(text_hex_bytes("00aBFf", 6, out, sizeof(out)), 3);
	ck_assert_uint_eq(out[0], 0x00);
	ck_assert_uint_eq(out[1], 0xab);
	ck_assert_uint_eq(out[2], 0xff);
	ck_assert_int_eq(text_hex_bytes("", 0, out, sizeof(out)), 0);
	ck_assert_int_eq(text_hex_bytes("abc", 3, out, sizeof(out)), -1);         /* odd */
	ck_assert_int_eq(text_hex_bytes("0011223344", 10, out, sizeof(out)), -1); /* over cap */
	ck_assert_int_eq(text_hex_bytes("00112233", 8, out, sizeof(out)), 4);     /* exactly cap */
	ck_assert_int_eq(text_hex_bytes("0x11", 4, out, sizeof(out)), -1);        /* no "0x" here */
	ck_assert_int_eq(text_hex_bytes("1g", 2, out, sizeof(out)), -1);
	/* reads only n bytes: the rest of the string is not looked at */
	ck_assert_int_eq(text_hex_bytes("12zz", 2, out, sizeof(out)), 1);
	ck_assert_uint_eq(out[0], 0x12);
}
END_TEST

START_TEST(ipv4_whole_text)
{
	iks_addr a;
	ck_assert(ip("192.0.2.1", &a));
	assert_v4(&a, 192, 0, 2, 1);
	ck_assert(ip("0.0.0.0", &a));
	assert_v4(&a, 0, 0, 0, 0);
	ck_assert(ip("255.255.255.255", &a));
	assert_v4(&a, 255, 255, 255, 255);
	ck_assert(ip("198.51.100.10", &a));
	assert_v4(&a, 198, 51, 100, 10);

	/* refused: and *a is left zero */
	const char *bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3.4", "1..2.3", "1.2.3.4 ",
		" 1.2.3.4", "256.1.1.1", "1.2.3.256", "1.2.3.1234", "1.2.3.4x", "1.2.3.-4",
		"1.2.3.+4", "a.b.c.d", "1,2,3,4", "not-an-address", "*",
		/* leading zeros: the key readers took them, inet_pton (logs, audit) did
		 * not; the strictest wins */
		"010.0.0.1", "1.02.3.4", "1.2.3.00", "00.1.2.3", "0001.2.3.4",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0xaa, sizeof(a));
		ck_assert_msg(!ip(bad[i], &a), "accepted \"%s\"", bad[i]);
		ck_assert_int_eq(a.family, 0);
		for (int k = 0; k < 16; k++)
			ck_assert_uint_eq(a.bytes[k], 0);
	}
	/* only n bytes count: no NUL needed, a longer buffer is not read */
	ck_assert(text_ip("10.0.0.1garbage", 8, &a));
	assert_v4(&a, 10, 0, 0, 1);
}
END_TEST

START_TEST(ipv4_prefix)
{
	iks_addr a;
	/* Oakley "from %4.%d" and "to %4:Type": the address, then the rest */
	ck_assert_uint_eq(text_ipv4_prefix("198.51.100.1.4500", 17, &a), 12);
	assert_v4(&a, 198, 51, 100, 1);
	ck_assert_uint_eq(text_ipv4_prefix("198.51.100.1:Type", 17, &a), 12);
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3.4", 7, &a), 7);
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3.4 Dst", 11, &a), 7);
	/* a fourth number of four digits is not a number 0-255 and its first three */
	memset(&a, 0x55, sizeof(a));
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3.4500", 10, &a), 0);
	ck_assert_uint_eq(a.bytes[0], 0x55); /* untouched on failure */
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3.04", 8, &a), 0);
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3", 5, &a), 0);
	ck_assert_uint_eq(text_ipv4_prefix("1.2.3.4", 6, &a), 0); /* cut by n */
	ck_assert_uint_eq(text_ipv4_prefix("", 0, &a), 0);
}
END_TEST

START_TEST(ipv6)
{
	iks_addr a;
	static const uint8_t db8_1[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	ck_assert(ip("2001:db8::1", &a));
	ck_assert_int_eq(a.family, 6);
	ck_assert_mem_eq(a.bytes, db8_1, 16);
	ck_assert(ip("2001:DB8:0:0:0:0:0:1", &a));
	ck_assert_mem_eq(a.bytes, db8_1, 16);
	ck_assert(ip("::", &a));
	ck_assert_int_eq(a.family, 6);
	ck_assert(ip("::1", &a));
	ck_assert_uint_eq(a.bytes[15], 1);
	ck_assert(ip("fe80::", &a));
	ck_assert_uint_eq(a.bytes[0], 0xfe);
	/* an IPv4 tail (charon prints v4-mapped addresses so) */
	ck_assert(ip("::ffff:192.0.2.1", &a));
	ck_assert_int_eq(a.family, 6);
	ck_assert_uint_eq(a.bytes[10], 0xff);
	ck_assert_uint_eq(a.bytes[12], 192);
	ck_assert_uint_eq(a.bytes[15], 1);
	/* the longest text form (45 characters) */
	ck_assert(ip("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a));
	ck_assert_uint_eq(a.bytes[0], 0xff);

	const char *bad[] = {
		"2001:db8::1::2", "2001:db8:::1", ":", "1:2:3:4:5:6:7:8:9", "12345::",
		"2001:db8::g", "fe80::1%3", "fe80::1%eth0", "[2001:db8::1]", "2001:db8::1 ",
		"::ffff:192.0.2.256", "::ffff:192.0.2", "::ffff:192.0.2.01",
		"0000:0000:0000:0000:0000:0000:0000:0000:", /* a ninth, empty group */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0xaa, sizeof(a));
		ck_assert_msg(!ip(bad[i], &a), "accepted \"%s\"", bad[i]);
		ck_assert_int_eq(a.family, 0);
	}
}
END_TEST

/* The log patterns over core/text: what the Oakley and charon tables need. */
START_TEST(log_patterns)
{
	logpat_out o;
	const char *t = "Receive: SA = 0x0004e718 from 198.51.100.1.4500";
	ck_assert(logpat_match("Receive: SA = 0x%x from %4.%d", (const uint8_t *)t, strlen(t), &o));
	assert_v4(&o.addr[0], 198, 51, 100, 1);
	ck_assert_uint_eq(o.num[1], 4500);
	t = "Receive: SA = 0x0004e718 from 198.051.100.1.4500";
	ck_assert(!logpat_match("Receive: SA = 0x%x from %4.%d", (const uint8_t *)t, strlen(t), &o));

	t = "sending packet: from 2001:db8::1[4500] to 192.0.2.1[4500] (76 bytes)";
	ck_assert(logpat_match("sending packet: from %a[%d] to %a[%d] (%d bytes)", (const uint8_t *)t,
			       strlen(t), &o));
	ck_assert_int_eq(o.addr[0].family, 6);
	ck_assert_uint_eq(o.addr[0].bytes[15], 1);
	assert_v4(&o.addr[1], 192, 0, 2, 1);
	/* %a takes the whole run of hex digits, ':' and '.', so a trailing dot fails */
	t = "from 192.0.2.1.[500]";
	ck_assert(!logpat_match("from %a[%d]", (const uint8_t *)t, strlen(t), &o));

	t = "cookie 0x0123456789ABCDEF end";
	ck_assert(logpat_match("cookie %c end", (const uint8_t *)t, strlen(t), &o));
	ck_assert_uint_eq(o.cookie[0], 0x01);
	ck_assert_uint_eq(o.cookie[7], 0xef);
	t = "cookie 0123456789abcdef0";
	ck_assert(!logpat_match("cookie %c", (const uint8_t *)t, strlen(t), &o)); /* 17 digits */
	t = "cookie 0123456789abcdeg";
	ck_assert(!logpat_match("cookie %c", (const uint8_t *)t, strlen(t), &o));
}
END_TEST

/* The audit reader over core/text: the first word of a value, after blanks. */
START_TEST(audit_values)
{
	static const char text[] =
		"Event[0]:\n  Event ID: 541\n  Description:\nx\nFilter:\n"
		"Source IP Address    192.0.2.1 (the local host)\n"
		"Destination IP Address 010.0.0.1\n"
		"IKE Local Addr 192.0.2.1\n"
		"IKE Peer Addr 2001:db8::2\n";
	iks_audit *a = iks_audit_new(NULL);
	ck_assert_ptr_nonnull(a);
	iks_audit_parse_buffer(a, (const uint8_t *)text, sizeof(text) - 1);
	ck_assert_uint_eq(iks_audit_nevents(a), 1);
	const iks_audit_event *e = iks_audit_event_at(a, 0);
	assert_v4(&e->filter_src, 192, 0, 2, 1);
	ck_assert_int_eq(e->filter_dst.family, 0); /* a leading zero: refused */
	assert_v4(&e->local, 192, 0, 2, 1);
	ck_assert_int_eq(e->peer.family, 6);
	ck_assert_uint_eq(e->peer.bytes[15], 2);
	iks_audit_stats st;
	iks_audit_get_stats(a, &st);
	ck_assert_uint_eq(st.bad_values, 1);
	iks_audit_free(a);
}
END_TEST

Suite *suite_text(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, hex_digits);
	tcase_add_test(tc, hex_strings);
	tcase_add_test(tc, ipv4_whole_text);
	tcase_add_test(tc, ipv4_prefix);
	tcase_add_test(tc, ipv6);
	tcase_add_test(tc, log_patterns);
	tcase_add_test(tc, audit_values);
	suite_add_tcase(s, tc);
	return s;
}
