/* test_keys.c - key file parsing: every format, malformed lines, and that
 * no diagnostic carries key material. */
#include <stdio.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "keys/keys_internal.h"
#include "suites.h"

static iks_keys *load(const char *text)
{
	iks_keys *k = iks_keys_new(NULL);
	ck_assert_ptr_nonnull(k);
	iks_keys_load_buffer(k, "keys.txt", (const uint8_t *)text, strlen(text));
	return k;
}

START_TEST(wireshark_esp_sa)
{
	iks_keys *k = load(
		"# comment\n"
		"\n"
		"\"IPv4\",\"*\",\"*\",\"0x6a1e352a\",\"AES-CBC [RFC3602]\",\"0xacd1c0cba8fd83463a56e7300d35559a\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x7966fe8d71b298db3a4c5e41dc556ed98a41d0e7\"\r\n"
		"\"IPv4\",\"*\",\"198.51.100.1\",\"0xf76657ab\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0xf33f787ab21baa6759c644b6fb11528c4fe8d26c\",\"NULL\",\"\"\n"
		"\"IPv4\",\"*\",\"*\",\"0xd36b7eb2\",\"NULL\",\"\",\"HMAC-SHA-256-128 [RFC4868]\",\"0x0102\"\n");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 3);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	const esp_sa *sa = keys_find_esp(k, 0x6a1e352a, NULL);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->enc, IKS_ENC_AES_CBC);
	ck_assert_uint_eq(sa->enc_key_len, 16);
	ck_assert_uint_eq(sa->enc_key[0], 0xac);
	ck_assert_int_eq(sa->auth, IKS_AUTH_HMAC_SHA1_96);
	ck_assert_uint_eq(sa->auth_key_len, 20);
	iks_addr b = { 4, { 198, 51, 100, 1 } }, a = { 4, { 192, 0, 2, 1 } };
	sa = keys_find_esp(k, 0xf76657ab, &b);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->enc, IKS_ENC_AES_GCM_16);
	ck_assert_uint_eq(sa->enc_key_len, 20); /* key + salt */
	ck_assert_ptr_null(keys_find_esp(k, 0xf76657ab, &a)); /* other destination */
	ck_assert_int_eq(keys_find_esp(k, 0xd36b7eb2, NULL)->auth, IKS_AUTH_HMAC_SHA256_128);
	ck_assert_ptr_null(keys_find_esp(k, 0x12345678, NULL));
	iks_keys_free(k);
}
END_TEST

START_TEST(tcpdump_e_lines)
{
	iks_keys *k = load(
		"0x00001000@198.51.100.1 aes128-cbc-hmac96:0x00112233445566778899aabbccddeeff hmac-sha1-96:0x0102030405060708090a0b0c0d0e0f1011121314\n"
		"0x00001001@198.51.100.1 none hmac-sha1-96:0x0102030405060708090a0b0c0d0e0f1011121314\n"
		"0x2000@192.0.2.1 3des-cbc:0x000102030405060708090a0b0c0d0e0f1011121314151617\n"
		"0x2001@192.0.2.1 aes128-cbc-hmac96:0x00112233445566778899aabbccddeeff\n"
		"ikev2 I 0x1111111111111111 0x2222222222222222 aes128:0x00 sha256:0x00\n");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 4);
	ck_assert_uint_eq(info.ikev2_sas, 1);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	iks_addr b = { 4, { 198, 51, 100, 1 } };
	const esp_sa *sa = keys_find_esp(k, 0x1000, &b);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->auth, IKS_AUTH_HMAC_SHA1_96);
	ck_assert_uint_eq(sa->icv_only_len, 0);
	ck_assert_int_eq(keys_find_esp(k, 0x1001, &b)->enc, IKS_ENC_NULL);
	iks_addr a = { 4, { 192, 0, 2, 1 } };
	ck_assert_int_eq(keys_find_esp(k, 0x2000, &a)->enc, IKS_ENC_3DES_CBC);
	/* -hmac96 without a key: 12 ICV bytes stripped, not verified */
	sa = keys_find_esp(k, 0x2001, &a);
	ck_assert_int_eq(sa->auth, IKS_AUTH_NONE);
	ck_assert_uint_eq(sa->icv_only_len, 12);
	iks_keys_free(k);
}
END_TEST

START_TEST(ike_tables_are_recognised)
{
	iks_keys *k = load(
		"6a457ac013315d33,54bb985f6e563e8a2efc570f7e2b1041\n"
		"5fa287abf4356660,42d451be538aea2b,6b6cbcf3bbf70d524af84b5ab56cc7f9,80406ea071a70fd980a1b73a4181c39a,\"AES-CBC-128 [RFC3602]\",a4,74,\"HMAC_SHA2_256_128 [RFC4868]\"\n");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.ikev1_sas, 1);
	ck_assert_uint_eq(info.ikev2_sas, 1);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	iks_keys_free(k);
}
END_TEST

START_TEST(bad_lines_are_diagnosed_without_keys)
{
	static const char *secret = "deadbeefdeadbeefdeadbeefdeadbeef";
	char text[2048];
	snprintf(text, sizeof(text),
		 "\"IPv4\",\"*\",\"*\",\"0x10\",\"AES-CBC [RFC3602]\",\"0x%s00\",\"NULL\",\"\"\n" /* 17 bytes */
		 "\"IPv4\",\"*\",\"*\",\"nothex\",\"AES-CBC [RFC3602]\",\"0x%s\",\"NULL\",\"\"\n"
		 "\"IPv4\",\"*\",\"*\",\"0x11\",\"Blowfish\",\"0x%s\",\"NULL\",\"\"\n"
		 "\"IPv4\",\"*\",\"*\",\"0x12\",\"AES-CBC [RFC3602]\",\"0x%s\",\"HMAC-SHA-1-96 [RFC2404]\",\"0xzz\"\n"
		 "0x13@not-an-address aes128-cbc:0x%s\n"
		 "0x14@192.0.2.1 rc5-cbc:0x%s\n"
		 "0x15@192.0.2.1 aes128-cbc\n"
		 "complete nonsense\n"
		 "\"IPv4\",\"*\",\"*\",\"0x16\",\"AES-CBC [RFC3602]\",\"0x%s\",\"NULL\",\"\"\n",
		 secret, secret, secret, secret, secret, secret, secret);
	iks_keys *k = load(text);
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 1); /* only the last line */
	ck_assert_uint_eq(iks_keys_ndiags(k), 8);
	for (size_t i = 0; i < iks_keys_ndiags(k); i++) {
		const iks_keys_diag *d = iks_keys_diag_at(k, i);
		ck_assert_str_eq(d->file, "keys.txt");
		ck_assert_uint_eq(d->line, i + 1);
		ck_assert_ptr_null(strstr(d->reason, "dead"));
	}
	ck_assert_ptr_nonnull(strstr(iks_keys_diag_at(k, 0)->reason, "length"));
	ck_assert_ptr_nonnull(strstr(iks_keys_diag_at(k, 2)->reason, "unknown encryption"));
	iks_keys_free(k);

	char err[IKS_ERRBUF_SIZE];
	k = iks_keys_new(NULL);
	ck_assert_int_eq(iks_keys_load_file(k, "/nonexistent/keys", err), IKS_E_IO);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/keys"));
	iks_keys_free(k);
	iks_keys_free(NULL);
}
END_TEST

START_TEST(caps_hold)
{
	iks_keys_limits lim = { 2, 3, 0 };
	iks_keys *k = iks_keys_new(&lim);
	char text[512] = "", one[64];
	for (int i = 1; i <= 4; i++) {
		snprintf(one, sizeof(one), "0x%x@192.0.2.1 none\n", i);
		strcat(text, one);
	}
	strcat(text, "x\ny\nz\n");
	ck_assert_int_eq(iks_keys_load_buffer(k, "k", (const uint8_t *)text, strlen(text)), IKS_E_LIMIT);
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 2);
	ck_assert_uint_eq(iks_keys_ndiags(k), 3);   /* diags_max */
	ck_assert_uint_eq(info.diags, 5);           /* 2 SAs over the cap + 3 bad lines */
	iks_keys_free(k);
}
END_TEST

/* Issue #4 acceptance 5: malformed lines of each format, each a diagnostic
 * at its line naming what is wrong, never with the key bytes. */
START_TEST(each_format_malformed)
{
	static const char *secret = "deadbeefdeadbeefdeadbeefdeadbeef";
	char text[4096];
	snprintf(text, sizeof(text),
		 /* esp_sa */
		 "\"IPv4\",\"*\",\"*\",\"0x20\",\"AES-CBC [RFC3602]\",\"0x%s\",\"HMAC-WHIRLPOOL\",\"0x%s\"\n"
		 "\"IPv4\",\"*\",\"gateway-b\",\"0x21\",\"AES-CBC [RFC3602]\",\"0x%s\",\"NULL\",\"\"\n"
		 /* tcpdump -E, ESP and AH */
		 "0x100@192.0.2.1 ah\n"
		 "0x101@192.0.2.1 aes128-cbc:0x%s hmac-sha1-96\n"
		 "0x102@192.0.2.1 aes128-cbc:0x%s hmac-whirlpool:0x%s\n"
		 "0x103@192.0.2.1 ah hmac-sha1-96:0x%szz\n"
		 "0x104@192.0.2.1 aes128-cbc:0x%s00\n"
		 /* ikev2_decryption_table */
		 "1111111111111111,2222222222222222,%s,%s,\"Serpent\",%s,%s,\"HMAC_SHA2_256_128 [RFC4868]\"\n"
		 "1111111111111111,2222222222222222,%s,%s00,\"AES-CBC-128 [RFC3602]\",%s,%s,\"HMAC_SHA2_256_128 [RFC4868]\"\n"
		 "1111111111111111,2222222222222222,%s,%s,\"AES-CBC-128 [RFC3602]\",%s,%s,\"HMAC_TIGER\"\n"
		 "1111111111111111,2222222222222222,%s,%s,\"AES-CBC-128 [RFC3602]\",%s,%s00,\"HMAC_SHA2_256_128 [RFC4868]\"\n"
		 /* ikev1_decryption_table */
		 "6a457ac013315d33,deadbeef01\n"
		 /* tcpdump's ikev2 lines: recognised; a look-alike is not */
		 "ikev2 I 0x1111111111111111 0x2222222222222222 aes128:0x%s sha256:0x%s\n"
		 "ikev2x I 0x1111111111111111 0x2222222222222222 aes128:0x%s\n",
		 secret, secret, secret, secret, secret, secret, secret, secret, secret, secret, secret,
		 secret, secret, secret, secret, secret, secret, secret, secret, secret, secret, secret,
		 secret, secret, secret, secret, secret);
	iks_keys *k = load(text);
	static const struct {
		uint32_t line;
		const char *what;
	} want[] = {
		{ 1, "esp_sa: unknown authentication" },
		{ 2, "esp_sa: destination" },
		{ 3, "AH SA needs AUTH:KEY" },
		{ 4, "AUTH:0xKEY expected" },
		{ 5, "unknown authentication" },
		{ 6, "authentication key is not hex" },
		{ 7, "secret is not of the algorithm's length" },
		{ 8, "ikev2_decryption_table: unknown encryption" },
		{ 9, "SK_ei/SK_er" },
		{ 10, "unknown integrity" },
		{ 11, "SK_ai/SK_ar" },
		{ 12, "ikev1_decryption_table: key is not" },
		{ 14, "not a line of any known key file format" },
	};
	ck_assert_uint_eq(iks_keys_ndiags(k), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const iks_keys_diag *d = iks_keys_diag_at(k, i);
		ck_assert_uint_eq(d->line, want[i].line);
		ck_assert_msg(strstr(d->reason, want[i].what), "line %u: %s", d->line, d->reason);
		ck_assert_ptr_null(strstr(d->reason, "dead"));
	}
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 0);
	ck_assert_uint_eq(info.ikev1_sas, 0);
	ck_assert_uint_eq(info.ikev2_sas, 1); /* the tcpdump ikev2 line, counted */
	iks_keys_free(k);
}
END_TEST

Suite *suite_keys(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("files");
	tcase_add_test(tc, wireshark_esp_sa);
	tcase_add_test(tc, tcpdump_e_lines);
	tcase_add_test(tc, ike_tables_are_recognised);
	tcase_add_test(tc, bad_lines_are_diagnosed_without_keys);
	tcase_add_test(tc, caps_hold);
	tcase_add_test(tc, each_format_malformed);
	suite_add_tcase(s, tc);
	return s;
}
