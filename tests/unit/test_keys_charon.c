/* test_keys_charon.c - strongSwan charon logs as key files: the key sets
 * read from the lab's real logs, malformed dumps and proposals (each a
 * diagnostic at its line, never with key bytes), the prefixes, the cap. */
#include <stdio.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "fixture.h"
#include "keys/keys_internal.h"
#include "suites.h"

static iks_keys *load_fixture(const char *name)
{
	char path[4096], err[IKS_ERRBUF_SIZE];
	iks_keys *k = iks_keys_new(NULL);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(iks_keys_load_file(k, fixture_path(name, path, sizeof(path)), err), IKS_OK);
	return k;
}

static iks_keys *load_text(const char *text, iks_status want)
{
	iks_keys *k = iks_keys_new(NULL);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(iks_keys_load_buffer(k, "charon.log", (const uint8_t *)text, strlen(text)),
			 want);
	return k;
}

START_TEST(ikev2_log_sets)
{
	iks_keys *k = load_fixture("ikev2_psk_natt_charon_a.log");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	/* 2080 lines, none of them a "bad line" */
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	ck_assert_uint_eq(info.diags, 0);
	ck_assert_uint_eq(info.charon_ikev2_sets, 1);
	ck_assert_uint_eq(info.charon_ikev1_sets, 0);
	ck_assert_uint_eq(info.charon_child_sets, 3);
	ck_assert_uint_eq(info.esp_sas, 0);
	const ikev2_sa *ike;
	ck_assert_uint_eq(keys_charon_ikev2(k, &ike), 1);
	/* IKE:AES_CBC_128/HMAC_SHA2_256_128, the ikev2_decryption_table's keys */
	ck_assert_int_eq(ike->enc, IKEV2_ENC_AES_CBC);
	ck_assert_int_eq(ike->integ, IKS_AUTH_HMAC_SHA256_128);
	ck_assert_uint_eq(ike->key_len, 16);
	ck_assert_uint_eq(ike->integ_key_len, 32);
	ck_assert_uint_eq(ike->sk_ei[0], 0x6b);
	ck_assert_uint_eq(ike->sk_ei[15], 0xf9);
	ck_assert_uint_eq(ike->sk_er[0], 0x80);
	ck_assert_uint_eq(ike->sk_ai[0], 0xa4);
	ck_assert_uint_eq(ike->sk_ar[31], 0xd6);
	const charon_child *c;
	ck_assert_uint_eq(keys_charon_children(k, &c), 3);
	/* enc{1}: SPIs 6a1e352a_i fe7eaf53_o */
	ck_assert_uint_eq(c[0].spi[0], 0x6a1e352a);
	ck_assert_uint_eq(c[0].spi[1], 0xfe7eaf53);
	ck_assert(c[0].have_dst[0] && c[0].have_dst[1]);
	ck_assert_uint_eq(c[0].dst[0].bytes[0], 192);  /* inbound: dst 192.0.2.1 */
	ck_assert_uint_eq(c[0].dst[1].bytes[0], 198);
	ck_assert_int_eq(c[0].key[0].enc, IKS_ENC_AES_CBC);
	ck_assert_int_eq(c[0].key[0].auth, IKS_AUTH_HMAC_SHA1_96);
	ck_assert_uint_eq(c[0].key[0].enc_key[0], 0x3d);   /* encryption initiator key */
	ck_assert_uint_eq(c[0].key[1].enc_key[0], 0xac);   /* encryption responder key */
	ck_assert_uint_eq(c[0].key[1].auth_key_len, 20);
	ck_assert_uint_eq(c[0].key[1].auth_key[0], 0x79);
	/* null{2}: ESP:NULL/HMAC_SHA1_96 */
	ck_assert_uint_eq(c[1].spi[0], 0xd36b7eb2);
	ck_assert_uint_eq(c[1].spi[1], 0x37409b82);
	ck_assert_int_eq(c[1].key[0].enc, IKS_ENC_NULL);
	ck_assert_uint_eq(c[1].key[0].enc_key_len, 0);
	ck_assert_uint_eq(c[1].key[0].auth_key_len, 20);
	/* gcm{3}: ESP:AES_GCM_16_128, key + salt */
	ck_assert_uint_eq(c[2].spi[0], 0xf76657ab);
	ck_assert_uint_eq(c[2].spi[1], 0x46392ebd);
	ck_assert_int_eq(c[2].key[0].enc, IKS_ENC_AES_GCM_16);
	ck_assert_uint_eq(c[2].key[0].enc_key_len, 20);
	ck_assert_int_eq(c[2].key[0].auth, IKS_AUTH_NONE);
	int dir = -1;
	ck_assert_ptr_eq(keys_charon_child_of(k, 0x46392ebd, &dir), &c[2]);
	ck_assert_int_eq(dir, 1);
	ck_assert_ptr_null(keys_charon_child_of(k, 0x12345678, &dir));
	iks_keys_free(k);

	/* the responder's log: the same keys, the SPIs the other way round;
	 * its proposals are logged in other threads than its keys */
	k = load_fixture("ikev2_psk_natt_charon_b.log");
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	ck_assert_uint_eq(keys_charon_ikev2(k, &ike), 1);
	ck_assert_uint_eq(ike->sk_ai[0], 0xa4);
	ck_assert_uint_eq(keys_charon_children(k, &c), 3);
	ck_assert_uint_eq(c[0].spi[0], 0xfe7eaf53);
	ck_assert_uint_eq(c[0].spi[1], 0x6a1e352a);
	ck_assert_uint_eq(c[0].key[0].enc_key[0], 0x3d);
	ck_assert_int_eq(c[1].key[0].enc, IKS_ENC_NULL);
	ck_assert_int_eq(c[2].key[0].enc, IKS_ENC_AES_GCM_16);
	iks_keys_free(k);
}
END_TEST

START_TEST(ikev1_log_sets)
{
	iks_keys *k = load_fixture("ikev1_psk_natt_charon_a.log");
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	ck_assert_uint_eq(info.charon_ikev1_sets, 1);
	ck_assert_uint_eq(info.charon_ikev2_sets, 0);
	ck_assert_uint_eq(info.charon_child_sets, 3);
	const ikev1_key *ka;
	ck_assert_uint_eq(keys_charon_ikev1(k, &ka), 1);
	/* the ikev1_decryption_table's Ka 54bb985f6e563e8a2efc570f7e2b1041 */
	ck_assert_uint_eq(ka->ka_len, 16);
	ck_assert_uint_eq(ka->ka[0], 0x54);
	ck_assert_uint_eq(ka->ka[15], 0x41);
	const charon_child *c;
	ck_assert_uint_eq(keys_charon_children(k, &c), 3);
	ck_assert_uint_eq(c[0].spi[0], 0x0a571287);
	ck_assert_uint_eq(c[0].spi[1], 0xfcde7d4b);
	ck_assert_uint_eq(c[0].key[0].enc_key[0], 0x3c);
	ck_assert_uint_eq(c[2].spi[0], 0xeeba938c);
	iks_keys_free(k);

	/* the failed negotiation: a logged its IKE keys, b none */
	k = load_fixture("ikev2_cert_fragdrop_charon_a.log");
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	ck_assert_uint_eq(info.charon_ikev2_sets, 1);
	ck_assert_uint_eq(info.charon_child_sets, 0);
	iks_keys_free(k);
	k = load_fixture("ikev2_cert_fragdrop_charon_b.log");
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	ck_assert_uint_eq(info.charon_ikev2_sets + info.charon_child_sets, 0);
	iks_keys_free(k);
}
END_TEST

/* A CHILD_SA in the log's words, with thread `t` and prefix `pre`. */
static void child_text(char *out, size_t cap, const char *pre, int t, const char *prop,
		       unsigned spi_i, unsigned spi_o)
{
	snprintf(out, cap,
		 "%s%02d[CFG] selected proposal: ESP:%s\n"
		 "%s%02d[CHD] encryption initiator key => 16 bytes @ 0x7f0000001000\n"
		 "%s%02d[CHD]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"
		 "%s%02d[CHD] encryption responder key => 16 bytes @ 0x7f0000001010\n"
		 "%s%02d[CHD]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"
		 "%s%02d[CHD] integrity initiator key => 20 bytes @ 0x7f0000001020\n"
		 "%s%02d[CHD]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"
		 "%s%02d[CHD]   16: DE AD BE EF                                      ....\n"
		 "%s%02d[CHD] integrity responder key => 20 bytes @ 0x7f0000001030\n"
		 "%s%02d[CHD]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"
		 "%s%02d[CHD]   16: DE AD BE EF                                      ....\n"
		 "%s%02d[CHD]   SPI 0x%08x, src 198.51.100.1 dst 192.0.2.1\n"
		 "%s%02d[CHD]   SPI 0x%08x, src 192.0.2.1 dst 198.51.100.1\n"
		 "%s%02d[IKE] CHILD_SA x{1} established with SPIs %08x_i %08x_o and TS 10.0.0.1/32 === 10.0.0.2/32\n",
		 pre, t, prop, pre, t, pre, t, pre, t, pre, t, pre, t, pre, t, pre, t, pre, t, pre, t,
		 pre, t, pre, t, spi_i, pre, t, spi_o, pre, t, spi_i, spi_o);
}

START_TEST(prefixes)
{
	static const char *pre[] = {
		"13:05:13 ",                          /* charon's file logger */
		"Nov 22 13:05:13 ",                   /* with a date */
		"Nov 22 13:05:13 moon charon: ",      /* syslog */
		"Nov  2 13:05:13 moon charon[4711]: ",
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		char text[4096];
		child_text(text, sizeof(text), pre[i], 7, "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ",
			   0xc0010000u + (unsigned)i, 0xc0020000u);
		iks_keys *k = load_text(text, IKS_OK);
		ck_assert_uint_eq(iks_keys_ndiags(k), 0);
		const charon_child *c;
		ck_assert_uint_eq(keys_charon_children(k, &c), 1);
		ck_assert_uint_eq(c[0].spi[0], 0xc0010000u + i);
		ck_assert_uint_eq(c[0].key[1].enc_key[3], 0xef);
		iks_keys_free(k);
	}
}
END_TEST

static void assert_no_key_bytes(const iks_keys *k)
{
	for (size_t i = 0; i < iks_keys_ndiags(k); i++) {
		const char *r = iks_keys_diag_at(k, i)->reason;
		ck_assert_ptr_null(strstr(r, "DE AD"));
		ck_assert_ptr_null(strstr(r, "dead"));
		ck_assert_ptr_null(strstr(r, "DEAD"));
		ck_assert_str_eq(iks_keys_diag_at(k, i)->file, "charon.log");
	}
}

START_TEST(malformed)
{
	const char *text =
		"13:05:13 10[CFG] selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\n" /* 1 */
		"13:05:13 10[IKE] Sk_ai secret => 32 bytes @ 0x1\n"                                                  /* 2 */
		"13:05:13 10[IKE]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"          /* 3 */
		"13:05:13 11[IKE] an ordinary line of another thread\n"                                             /* 4 */
		"13:05:13 10[IKE]   32: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"          /* 5: offsets */
		"13:05:13 10[IKE] Sk_ar secret => 32 bytes @ 0x2\n"                                                  /* 6 */
		"13:05:13 10[IKE]    0: DE AD BE EF DE AD BE EF DE AD BE EF DE AD BE EF  ................\n"          /* 7 */
		"13:05:13 10[IKE]   16: DE AD BE EF DE AD                                ......\n"                   /* 8: short */
		"13:05:13 12[CFG] selected proposal: ESP:CHACHA20_POLY1305/NO_EXT_SEQ\n"                            /* 9: unknown */
		"13:05:13 12[CHD] encryption initiator key => 4294967296 bytes @ 0x3\n"                             /* 10: huge */
		"13:05:13 12[CHD] encryption responder key => 100000 bytes @ 0x3\n"                                 /* 11: huge */
		"13:05:13 10[IKE] Sk_ei secret => 16 bytes @ 0x4\n"                                                  /* 12 */
		"13:05:13 10[IKE] reinitiating already active tasks\n"                                              /* 13: cut */
		"13:05:13 10[IKE] not a key => 3 bytes @ 0x5\n"                                                      /* 14 */
		"13:05:13 10[IKE]    0: DE AD BE                                         ...\n"                      /* 15 */
		"13:05:13 14[IKE] encryption key Ka => 16 bytes @ 0x6\n";                                           /* 16: EOF */
	iks_keys *k = load_text(text, IKS_OK);
	static const struct {
		uint32_t line;
		const char *what;
	} want[] = {
		{ 5, "out of order" }, { 8, "shorter" }, { 9, "unknown" }, { 10, "longer" },
		{ 11, "longer" }, { 12, "cut short" }, { 16, "end of the file" },
	};
	ck_assert_uint_eq(iks_keys_ndiags(k), sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const iks_keys_diag *d = iks_keys_diag_at(k, i);
		ck_assert_uint_eq(d->line, want[i].line);
		ck_assert_msg(strstr(d->reason, want[i].what), "line %u: %s", d->line, d->reason);
	}
	assert_no_key_bytes(k);
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.charon_ikev2_sets + info.charon_ikev1_sets + info.charon_child_sets, 0);
	iks_keys_free(k);

	/* CHILD_SA keys whose lengths fit no proposal, and keys without SPIs */
	char t2[4096];
	child_text(t2, sizeof(t2), "13:05:13 ", 9, "AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ", 0x1, 0x2);
	k = load_text(t2, IKS_OK);
	ck_assert_uint_eq(iks_keys_ndiags(k), 1);
	ck_assert_uint_eq(iks_keys_diag_at(k, 0)->line, 2);
	ck_assert_ptr_nonnull(strstr(iks_keys_diag_at(k, 0)->reason, "fit no"));
	assert_no_key_bytes(k);
	iks_keys_free(k);
}
END_TEST

START_TEST(aead_ike_set)
{
	/* IKE:AES_GCM_16_256: no SK_ai/SK_ar; SK_ei/SK_er are key + 4-byte salt */
	const char *text =
		"Nov 22 13:05:13 15[CFG] selected proposal: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256\n"
		"Nov 22 13:05:13 09[IKE] Sk_ei secret => 36 bytes @ 0x1\n"
		"Nov 22 13:05:13 09[IKE]    0: 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10  ................\n"
		"Nov 22 13:05:13 09[IKE]   16: 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 20  ........ .......\n"
		"Nov 22 13:05:13 09[IKE]   32: 21 22 23 24                                      !\"#$\n"
		"Nov 22 13:05:13 09[IKE] Sk_er secret => 36 bytes @ 0x2\n"
		"Nov 22 13:05:13 09[IKE]    0: 41 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10  A...............\n"
		"Nov 22 13:05:13 10[IKE] another thread\n"
		"Nov 22 13:05:13 09[IKE]   16: 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 20  ........ .......\n"
		"Nov 22 13:05:13 09[IKE]   32: 21 22 23 24                                      !\"#$\n"
		"Nov 22 13:05:13 09[IKE] Sk_pi secret => 32 bytes @ 0x3\n";
	iks_keys *k = load_text(text, IKS_OK);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	const ikev2_sa *ike;
	ck_assert_uint_eq(keys_charon_ikev2(k, &ike), 1);
	ck_assert_int_eq(ike->enc, IKEV2_ENC_AES_GCM_16);
	ck_assert_int_eq(ike->integ, IKS_AUTH_NONE);
	ck_assert_uint_eq(ike->key_len, 36);
	ck_assert_uint_eq(ike->integ_key_len, 0);
	ck_assert_uint_eq(ike->sk_er[0], 0x41);
	ck_assert_uint_eq(ike->sk_er[35], 0x24);
	iks_keys_free(k);
}
END_TEST

START_TEST(cap_is_reported)
{
	char a[4096], b[4096], text[8192];
	child_text(a, sizeof(a), "13:05:13 ", 9, "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ", 0x11, 0x12);
	child_text(b, sizeof(b), "13:05:14 ", 9, "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ", 0x21, 0x22);
	snprintf(text, sizeof(text), "%s%s", a, b);
	iks_keys_limits lim;
	memset(&lim, 0, sizeof(lim));
	lim.charon_sets_max = 1;
	iks_keys *k = iks_keys_new(&lim);
	ck_assert_int_eq(iks_keys_load_buffer(k, "charon.log", (const uint8_t *)text, strlen(text)),
			 IKS_E_LIMIT);
	iks_keys_info info;
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.charon_child_sets, 1);
	ck_assert_uint_eq(iks_keys_ndiags(k), 1);
	ck_assert_uint_eq(iks_keys_diag_at(k, 0)->line, 28); /* the second "established" line */
	ck_assert_ptr_nonnull(strstr(iks_keys_diag_at(k, 0)->reason, "charon_sets_max"));
	iks_keys_free(k);

	/* a key table and a log in one store: both kept */
	k = load_text("\"IPv4\",\"*\",\"*\",\"0x6a1e352a\",\"NULL\",\"\",\"NULL\",\"\"\n", IKS_OK);
	ck_assert_int_eq(iks_keys_load_buffer(k, "charon.log", (const uint8_t *)a, strlen(a)), IKS_OK);
	iks_keys_get_info(k, &info);
	ck_assert_uint_eq(info.esp_sas, 1);
	ck_assert_uint_eq(info.charon_child_sets, 1);
	ck_assert_uint_eq(iks_keys_ndiags(k), 0);
	iks_keys_free(k);
}
END_TEST

Suite *suite_keys_charon(void)
{
	Suite *s = suite_create("keys_charon");
	TCase *tc = tcase_create("charon");
	tcase_add_test(tc, ikev2_log_sets);
	tcase_add_test(tc, ikev1_log_sets);
	tcase_add_test(tc, prefixes);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, aead_ike_set);
	tcase_add_test(tc, cap_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
