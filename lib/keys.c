/*
 * keys.c - key files: Wireshark's esp_sa / ikev1 / ikev2 decryption tables
 * and tcpdump's -E syntax, read line by line through the bounds-checked
 * reader. A bad line is a diagnostic (file, line, reason), never fatal;
 * key bytes never reach a diagnostic.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "keys_internal.h"
#include "reader.h"

#define FIELDS_MAX 12
#define LINE_MAX_LEN 4096

struct iks_keys {
	iks_keys_limits lim;
	esp_sa *esp;
	size_t nesp, cap_esp;
	bool sorted;
	ikev2_sa *ike2;
	size_t nike2, cap_ike2;
	ikev1_key *ike1;
	size_t nike1, cap_ike1;
	iks_keys_diag *diags;
	size_t ndiags;
	char **files;          /* names used in diagnostics */
	size_t nfiles;
	iks_keys_info info;
};

/* a field of a line: [p, p+len) */
typedef struct field {
	const char *p;
	size_t len;
} field;

iks_keys *iks_keys_new(const iks_keys_limits *lim)
{
	/* libgcrypt wants initialising once per process; do it unless the
	 * application already did */
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		if (!gcry_check_version(NULL))
			return NULL;
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	iks_keys *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->lim.esp_sas_max = lim && lim->esp_sas_max ? lim->esp_sas_max : 100000;
	k->lim.diags_max = lim && lim->diags_max ? lim->diags_max : 1000;
	k->diags = calloc(k->lim.diags_max, sizeof(*k->diags));
	if (!k->diags) {
		free(k);
		return NULL;
	}
	return k;
}

void iks_keys_free(iks_keys *k)
{
	if (!k)
		return;
	if (k->esp) {
		/* wipe the keys before the memory goes back */
		volatile uint8_t *p = (volatile uint8_t *)k->esp;
		for (size_t i = 0; i < k->cap_esp * sizeof(*k->esp); i++)
			p[i] = 0;
	}
	free(k->esp);
	if (k->ike2) {
		volatile uint8_t *p = (volatile uint8_t *)k->ike2;
		for (size_t i = 0; i < k->cap_ike2 * sizeof(*k->ike2); i++)
			p[i] = 0;
	}
	free(k->ike2);
	if (k->ike1) {
		volatile uint8_t *p = (volatile uint8_t *)k->ike1;
		for (size_t i = 0; i < k->cap_ike1 * sizeof(*k->ike1); i++)
			p[i] = 0;
	}
	free(k->ike1);
	free(k->diags);
	for (size_t i = 0; i < k->nfiles; i++)
		free(k->files[i]);
	free(k->files);
	free(k);
}

static void diag(iks_keys *k, const char *file, uint32_t line, const char *reason)
{
	k->info.diags++;
	if (k->ndiags == k->lim.diags_max)
		return;
	k->diags[k->ndiags].file = file;
	k->diags[k->ndiags].line = line;
	k->diags[k->ndiags].reason = reason;
	k->ndiags++;
}

size_t iks_keys_ndiags(const iks_keys *k)
{
	return k ? k->ndiags : 0;
}

const iks_keys_diag *iks_keys_diag_at(const iks_keys *k, size_t i)
{
	return k && i < k->ndiags ? &k->diags[i] : NULL;
}

void iks_keys_get_info(const iks_keys *k, iks_keys_info *info)
{
	if (k && info)
		*info = k->info;
}

static bool feq(field f, const char *s)
{
	size_t n = strlen(s);
	if (f.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = f.p[i], b = s[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static bool fprefix(field f, const char *s)
{
	size_t n = strlen(s);
	return f.len >= n && feq((field){ f.p, n }, s);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex bytes ("0x" optional) into out; returns the byte count or -1. */
static int parse_hex(field f, uint8_t *out, size_t cap)
{
	if (f.len >= 2 && f.p[0] == '0' && (f.p[1] == 'x' || f.p[1] == 'X')) {
		f.p += 2;
		f.len -= 2;
	}
	if (f.len % 2 || f.len / 2 > cap)
		return -1;
	for (size_t i = 0; i < f.len / 2; i++) {
		int h = hexval(f.p[2 * i]), l = hexval(f.p[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i] = (uint8_t)(h << 4 | l);
	}
	return (int)(f.len / 2);
}

static bool parse_u32(field f, uint32_t *v)
{
	uint8_t b[4] = { 0 };
	field t = f;
	if (t.len >= 2 && t.p[0] == '0' && (t.p[1] == 'x' || t.p[1] == 'X')) {
		t.p += 2;
		t.len -= 2;
	}
	if (t.len == 0 || t.len > 8)
		return false;
	char pad[8];
	memset(pad, '0', sizeof(pad));
	memcpy(pad + 8 - t.len, t.p, t.len);
	if (parse_hex((field){ pad, 8 }, b, 4) != 4)
		return false;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return true;
}

static bool parse_ipv4(field f, iks_addr *a)
{
	unsigned v[4], n = 0, cur = 0, digits = 0;
	for (size_t i = 0; i <= f.len; i++) {
		char c = i < f.len ? f.p[i] : '.';
		if (c >= '0' && c <= '9' && digits < 3) {
			cur = cur * 10 + (unsigned)(c - '0');
			digits++;
		} else if (c == '.' && digits && cur < 256 && n < 4) {
			v[n++] = cur;
			cur = digits = 0;
		} else {
			return false;
		}
	}
	if (n != 4)
		return false;
	memset(a, 0, sizeof(*a));
	a->family = 4;
	for (int i = 0; i < 4; i++)
		a->bytes[i] = (uint8_t)v[i];
	return true;
}

/* An IPv6 address in text (RFC 4291 section 2.2), by inet_pton on a
 * bounded copy. */
static bool parse_ipv6(field f, iks_addr *a)
{
	char txt[IKS_ADDRSTRLEN];
	if (f.len == 0 || f.len >= sizeof(txt) || !memchr(f.p, ':', f.len))
		return false;
	memcpy(txt, f.p, f.len);
	txt[f.len] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, txt, a->bytes) != 1)
		return false;
	a->family = 6;
	return true;
}

static bool parse_ip(field f, iks_addr *a)
{
	return parse_ipv4(f, a) || parse_ipv6(f, a);
}

/* Wireshark's encryption names (the part before " [RFC...]" suffices). */
static int wireshark_enc(field f)
{
	if (feq(f, "NULL"))
		return IKS_ENC_NULL;
	if (fprefix(f, "AES-CBC"))
		return IKS_ENC_AES_CBC;
	if (fprefix(f, "AES-CTR"))
		return IKS_ENC_AES_CTR;
	if (fprefix(f, "AES-GCM with 8 octet ICV"))
		return IKS_ENC_AES_GCM_8;
	if (fprefix(f, "AES-GCM with 12 octet ICV"))
		return IKS_ENC_AES_GCM_12;
	if (fprefix(f, "AES-GCM with 16 octet ICV"))
		return IKS_ENC_AES_GCM_16;
	if (fprefix(f, "TripleDES-CBC"))
		return IKS_ENC_3DES_CBC;
	return IKS_ENC_UNKNOWN;
}

static int wireshark_auth(field f)
{
	if (feq(f, "NULL"))
		return IKS_AUTH_NONE;
	if (fprefix(f, "HMAC-SHA-1-96"))
		return IKS_AUTH_HMAC_SHA1_96;
	if (fprefix(f, "HMAC-SHA-256-128"))
		return IKS_AUTH_HMAC_SHA256_128;
	if (fprefix(f, "HMAC-SHA-384-192"))
		return IKS_AUTH_HMAC_SHA384_192;
	if (fprefix(f, "HMAC-SHA-512-256"))
		return IKS_AUTH_HMAC_SHA512_256;
	if (fprefix(f, "HMAC-MD5-96"))
		return IKS_AUTH_HMAC_MD5_96;
	return IKS_AUTH_UNKNOWN;
}

/* Key length an algorithm needs (enc: with its salt/nonce); 0: any of a set. */
static bool enc_key_ok(int enc, int len)
{
	switch (enc) {
	case IKS_ENC_NULL: return len == 0;
	case IKS_ENC_AES_CBC: return len == 16 || len == 24 || len == 32;
	case IKS_ENC_AES_CTR:
	case IKS_ENC_AES_GCM_8:
	case IKS_ENC_AES_GCM_12:
	case IKS_ENC_AES_GCM_16: return len == 20 || len == 28 || len == 36;
	case IKS_ENC_3DES_CBC: return len == 24;
	}
	return false;
}

static const char *add_esp(iks_keys *k, const esp_sa *sa)
{
	if (k->nesp == k->lim.esp_sas_max)
		return "esp_sas_max reached: SA not kept";
	if (k->nesp == k->cap_esp) {
		size_t cap = k->cap_esp ? k->cap_esp * 2 : 16;
		if (cap > k->lim.esp_sas_max)
			cap = k->lim.esp_sas_max;
		esp_sa *n = calloc(cap, sizeof(*n));
		if (!n)
			return "out of memory";
		if (k->esp) {
			memcpy(n, k->esp, k->nesp * sizeof(*n));
			volatile uint8_t *p = (volatile uint8_t *)k->esp;
			for (size_t i = 0; i < k->cap_esp * sizeof(*k->esp); i++)
				p[i] = 0;
			free(k->esp);
		}
		k->esp = n;
		k->cap_esp = cap;
	}
	k->esp[k->nesp++] = *sa;
	k->sorted = false;
	k->info.esp_sas++;
	return NULL;
}

/* Split a CSV line (fields optionally in double quotes). */
static size_t split_csv(const char *s, size_t len, field *f, size_t max)
{
	size_t n = 0, i = 0;
	while (i <= len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && s[i] == '"') {
			size_t start = ++i;
			while (i < len && s[i] != '"')
				i++;
			f[n].p = s + start;
			f[n++].len = i - start;
			if (i < len)
				i++;
			while (i < len && s[i] != ',')
				i++;
		} else {
			size_t start = i;
			while (i < len && s[i] != ',')
				i++;
			size_t end = i;
			while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
				end--;
			f[n].p = s + start;
			f[n++].len = end - start;
		}
		i++; /* the comma */
	}
	return n;
}

static size_t split_ws(const char *s, size_t len, field *f, size_t max)
{
	size_t n = 0, i = 0;
	while (i < len && n < max) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		size_t start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		f[n].p = s + start;
		f[n++].len = i - start;
	}
	return n;
}

/* "IPv4","*","*","0xSPI","ENC","0xKEY","AUTH","0xKEY" (Wireshark esp_sa) */
static const char *uat_esp(iks_keys *k, const field *f, size_t n)
{
	esp_sa sa;
	memset(&sa, 0, sizeof(sa));
	if (!parse_u32(f[3], &sa.spi))
		return "esp_sa: SPI is not a hex number";
	sa.any_dst = f[2].len == 0 || feq(f[2], "*");
	if (!sa.any_dst && !parse_ip(f[2], &sa.dst))
		return "esp_sa: destination is neither * nor an IP address";
	sa.enc = wireshark_enc(f[4]);
	if (sa.enc == IKS_ENC_UNKNOWN)
		return "esp_sa: unknown encryption algorithm";
	int kl = parse_hex(f[5], sa.enc_key, sizeof(sa.enc_key));
	if (kl < 0 || !enc_key_ok(sa.enc, kl))
		return "esp_sa: encryption key is not hex of the algorithm's length";
	sa.enc_key_len = (uint8_t)kl;
	sa.auth = n > 6 ? wireshark_auth(f[6]) : IKS_AUTH_NONE;
	if (sa.auth == IKS_AUTH_UNKNOWN)
		return "esp_sa: unknown authentication algorithm";
	if (sa.auth != IKS_AUTH_NONE) {
		int al = n > 7 ? parse_hex(f[7], sa.auth_key, sizeof(sa.auth_key)) : -1;
		if (al <= 0)
			return "esp_sa: authentication key is not hex";
		sa.auth_key_len = (uint8_t)al;
	}
	return add_esp(k, &sa);
}

/* tcpdump -E: SPI@DST ALGO:SECRET [AUTH:SECRET] */
static const char *tcpdump_esp(iks_keys *k, const field *f, size_t n)
{
	esp_sa sa;
	memset(&sa, 0, sizeof(sa));
	const char *at = memchr(f[0].p, '@', f[0].len);
	field spi = { f[0].p, (size_t)(at - f[0].p) };
	field dst = { at + 1, f[0].len - spi.len - 1 };
	if (!parse_u32(spi, &sa.spi))
		return "tcpdump -E: SPI is not a hex number";
	if (!parse_ip(dst, &sa.dst))
		return "tcpdump -E: destination is not an IP address";
	if (feq(f[1], "ah")) {
		/* ikescope extension: SPI@DST ah AUTH:KEY, an AH SA */
		sa.ah = true;
		sa.enc = IKS_ENC_NULL;
		if (n < 3)
			return "tcpdump -E: an AH SA needs AUTH:KEY";
	}
	const char *colon = memchr(f[1].p, ':', f[1].len);
	if (!colon && (feq(f[1], "none") || sa.ah))
		colon = f[1].p + f[1].len; /* "none" needs no secret */
	if (!colon)
		return "tcpdump -E: ALGO:SECRET expected";
	field algo = { f[1].p, (size_t)(colon - f[1].p) };
	field secret = { colon + 1, algo.len < f[1].len ? f[1].len - algo.len - 1 : 0 };
	if (algo.len > 7 && feq((field){ algo.p + algo.len - 7, 7 }, "-hmac96")) {
		sa.icv_only_len = 12;
		algo.len -= 7;
	}
	if (feq(algo, "none") || sa.ah)
		sa.enc = IKS_ENC_NULL;
	else if (feq(algo, "aes128-cbc") || feq(algo, "aes192-cbc") || feq(algo, "aes256-cbc"))
		sa.enc = IKS_ENC_AES_CBC;
	else if (feq(algo, "3des-cbc"))
		sa.enc = IKS_ENC_3DES_CBC;
	else if (feq(algo, "aes128-ctr") || feq(algo, "aes256-ctr"))
		sa.enc = IKS_ENC_AES_CTR;
	else
		return "tcpdump -E: unsupported algorithm";
	int kl;
	if (secret.len >= 2 && secret.p[0] == '0' && (secret.p[1] == 'x' || secret.p[1] == 'X')) {
		kl = parse_hex(secret, sa.enc_key, sizeof(sa.enc_key));
	} else { /* tcpdump takes a plain secret as ASCII */
		kl = secret.len <= sizeof(sa.enc_key) ? (int)secret.len : -1;
		if (kl > 0)
			memcpy(sa.enc_key, secret.p, secret.len);
	}
	if (sa.enc == IKS_ENC_NULL && kl < 0)
		kl = 0;
	if (kl < 0 || !enc_key_ok(sa.enc, sa.enc == IKS_ENC_NULL ? 0 : kl))
		return "tcpdump -E: secret is not of the algorithm's length";
	sa.enc_key_len = (uint8_t)kl;
	sa.auth = IKS_AUTH_NONE;
	if (n >= 3) {
		const char *c2 = memchr(f[2].p, ':', f[2].len);
		if (!c2)
			return "tcpdump -E: AUTH:0xKEY expected in the third field";
		field aname = { f[2].p, (size_t)(c2 - f[2].p) };
		field akey = { c2 + 1, f[2].len - aname.len - 1 };
		if (feq(aname, "hmac-sha1-96"))
			sa.auth = IKS_AUTH_HMAC_SHA1_96;
		else if (feq(aname, "hmac-sha256-128"))
			sa.auth = IKS_AUTH_HMAC_SHA256_128;
		else if (feq(aname, "hmac-sha384-192"))
			sa.auth = IKS_AUTH_HMAC_SHA384_192;
		else if (feq(aname, "hmac-sha512-256"))
			sa.auth = IKS_AUTH_HMAC_SHA512_256;
		else if (feq(aname, "hmac-md5-96"))
			sa.auth = IKS_AUTH_HMAC_MD5_96;
		else
			return "tcpdump -E: unknown authentication algorithm";
		int al = parse_hex(akey, sa.auth_key, sizeof(sa.auth_key));
		if (al <= 0)
			return "tcpdump -E: authentication key is not hex";
		sa.auth_key_len = (uint8_t)al;
		sa.icv_only_len = 0;
	}
	return add_esp(k, &sa);
}

/* Wireshark's IKEv2 encryption names */
static int ikev2_enc_of(field f)
{
	if (fprefix(f, "NONE"))
		return IKEV2_ENC_NONE;
	if (fprefix(f, "3DES"))
		return IKEV2_ENC_3DES;
	if (fprefix(f, "AES-CBC"))
		return IKEV2_ENC_AES_CBC;
	if (fprefix(f, "AES-CTR"))
		return IKEV2_ENC_AES_CTR;
	if (fprefix(f, "AES-GCM")) {
		for (size_t i = 0; i + 8 <= f.len; i++) {
			field w = { f.p + i, 8 };
			if (feq(w, "with 8 o"))
				return IKEV2_ENC_AES_GCM_8;
			if (feq(w, "with 12 "))
				return IKEV2_ENC_AES_GCM_12;
			if (feq(w, "with 16 "))
				return IKEV2_ENC_AES_GCM_16;
		}
	}
	return IKEV2_ENC_UNKNOWN;
}

static int ikev2_integ_of(field f)
{
	if (fprefix(f, "NONE"))
		return IKS_AUTH_NONE;
	if (fprefix(f, "HMAC_SHA1_96"))
		return IKS_AUTH_HMAC_SHA1_96;
	if (fprefix(f, "HMAC_SHA2_256_128"))
		return IKS_AUTH_HMAC_SHA256_128;
	if (fprefix(f, "HMAC_SHA2_384_192"))
		return IKS_AUTH_HMAC_SHA384_192;
	if (fprefix(f, "HMAC_SHA2_512_256"))
		return IKS_AUTH_HMAC_SHA512_256;
	if (fprefix(f, "HMAC_MD5_96"))
		return IKS_AUTH_HMAC_MD5_96;
	return IKS_AUTH_UNKNOWN;
}

/* SPIi,SPIr,SK_ei,SK_er,"ENC",SK_ai,SK_ar,"INTEG" (Wireshark ikev2_decryption_table) */
static const char *uat_ikev2(iks_keys *k, const field *f)
{
	ikev2_sa sa;
	memset(&sa, 0, sizeof(sa));
	if (parse_hex(f[0], sa.ispi, 8) != 8 || parse_hex(f[1], sa.rspi, 8) != 8)
		return "ikev2_decryption_table: SPIs are not 16 hex digits";
	sa.enc = ikev2_enc_of(f[4]);
	if (sa.enc == IKEV2_ENC_UNKNOWN)
		return "ikev2_decryption_table: unknown encryption algorithm";
	int ei = parse_hex(f[2], sa.sk_ei, sizeof(sa.sk_ei));
	int er = parse_hex(f[3], sa.sk_er, sizeof(sa.sk_er));
	if (ei < 0 || ei != er)
		return "ikev2_decryption_table: SK_ei/SK_er are not hex of one length";
	sa.key_len = (uint8_t)ei;
	sa.integ = ikev2_integ_of(f[7]);
	if (sa.integ == IKS_AUTH_UNKNOWN)
		return "ikev2_decryption_table: unknown integrity algorithm";
	int ai = parse_hex(f[5], sa.sk_ai, sizeof(sa.sk_ai));
	int ar = parse_hex(f[6], sa.sk_ar, sizeof(sa.sk_ar));
	if (ai < 0 || ai != ar)
		return "ikev2_decryption_table: SK_ai/SK_ar are not hex of one length";
	sa.integ_key_len = (uint8_t)ai;
	if (k->nike2 == k->cap_ike2) {
		size_t cap = k->cap_ike2 ? k->cap_ike2 * 2 : 8;
		if (cap > k->lim.esp_sas_max)
			return "esp_sas_max reached: IKE SA not kept";
		ikev2_sa *n = calloc(cap, sizeof(*n));
		if (!n)
			return "out of memory";
		if (k->ike2) {
			memcpy(n, k->ike2, k->nike2 * sizeof(*n));
			volatile uint8_t *p = (volatile uint8_t *)k->ike2;
			for (size_t i = 0; i < k->cap_ike2 * sizeof(*k->ike2); i++)
				p[i] = 0;
			free(k->ike2);
		}
		k->ike2 = n;
		k->cap_ike2 = cap;
	}
	k->ike2[k->nike2++] = sa;
	k->info.ikev2_sas++;
	return NULL;
}

/* cookie_i,Ka (Wireshark ikev1_decryption_table) */
static const char *uat_ikev1(iks_keys *k, const field *f)
{
	ikev1_key key;
	memset(&key, 0, sizeof(key));
	if (parse_hex(f[0], key.icookie, 8) != 8)
		return "ikev1_decryption_table: initiator cookie is not 16 hex digits";
	int kl = parse_hex(f[1], key.ka, sizeof(key.ka));
	if (kl != 8 && kl != 16 && kl != 24 && kl != 32)
		return "ikev1_decryption_table: key is not 8, 16, 24 or 32 bytes of hex";
	key.ka_len = (uint8_t)kl;
	if (k->nike1 == k->cap_ike1) {
		size_t cap = k->cap_ike1 ? k->cap_ike1 * 2 : 8;
		if (cap > k->lim.esp_sas_max)
			return "esp_sas_max reached: IKE SA not kept";
		ikev1_key *n = calloc(cap, sizeof(*n));
		if (!n)
			return "out of memory";
		if (k->ike1) {
			memcpy(n, k->ike1, k->nike1 * sizeof(*n));
			volatile uint8_t *p = (volatile uint8_t *)k->ike1;
			for (size_t i = 0; i < k->cap_ike1 * sizeof(*k->ike1); i++)
				p[i] = 0;
			free(k->ike1);
		}
		k->ike1 = n;
		k->cap_ike1 = cap;
	}
	k->ike1[k->nike1++] = key;
	k->info.ikev1_sas++;
	return NULL;
}

const ikev1_key *keys_find_ikev1(const iks_keys *k, const uint8_t icookie[8])
{
	for (size_t i = 0; k && i < k->nike1; i++)
		if (!memcmp(k->ike1[i].icookie, icookie, 8))
			return &k->ike1[i];
	return NULL;
}

const ikev2_sa *keys_find_ikev2(const iks_keys *k, const uint8_t ispi[8], const uint8_t rspi[8])
{
	for (size_t i = 0; k && i < k->nike2; i++)
		if (!memcmp(k->ike2[i].ispi, ispi, 8) && !memcmp(k->ike2[i].rspi, rspi, 8))
			return &k->ike2[i];
	return NULL;
}

static bool all_hex(field f)
{
	for (size_t i = 0; i < f.len; i++)
		if (hexval(f.p[i]) < 0)
			return false;
	return f.len > 0;
}

static const char *one_line(iks_keys *k, const char *s, size_t len)
{
	field f[FIELDS_MAX];
	size_t n = split_ws(s, len, f, FIELDS_MAX);
	if (n >= 2 && memchr(f[0].p, '@', f[0].len))
		return tcpdump_esp(k, f, n);
	if (n >= 1 && feq(f[0], "ikev2")) {
		k->info.ikev2_sas++;
		return NULL; /* kept for IKE decryption (not implemented yet) */
	}
	n = split_csv(s, len, f, FIELDS_MAX);
	if (n >= 6 && (feq(f[0], "IPv4") || feq(f[0], "IPv6") || feq(f[0], "Any")))
		return uat_esp(k, f, n);
	if (n == 2 && f[0].len == 16 && all_hex(f[0]) && all_hex(f[1]))
		return uat_ikev1(k, f);
	if (n == 8 && f[0].len == 16 && f[1].len == 16 && all_hex(f[0]) && all_hex(f[1]))
		return uat_ikev2(k, f);
	return "not a line of any known key file format";
}

static const char *remember_name(iks_keys *k, const char *name)
{
	char **nf = realloc(k->files, (k->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	k->files = nf;
	k->files[k->nfiles] = strdup(name ? name : "(buffer)");
	return k->files[k->nfiles] ? k->files[k->nfiles++] : NULL;
}

iks_status iks_keys_load_buffer(iks_keys *k, const char *name, const uint8_t *data, size_t len)
{
	if (!k || (!data && len))
		return IKS_E_INVALID;
	const char *file = remember_name(k, name);
	if (!file)
		return IKS_E_NOMEM;
	iks_reader r = rd_init(data, len, 0);
	uint32_t lineno = 0;
	iks_status st = IKS_OK;
	while (rd_left(&r) > 0) {
		const uint8_t *start = rd_ptr(&r);
		size_t n = 0;
		uint8_t c = 0;
		while (rd_u8(&r, &c) && c != '\n')
			n++;
		lineno++;
		size_t ll = n;
		while (ll && (start[ll - 1] == '\r' || start[ll - 1] == ' ' || start[ll - 1] == '\t'))
			ll--;
		size_t skip = 0;
		while (skip < ll && (start[skip] == ' ' || start[skip] == '\t'))
			skip++;
		if (skip == ll || start[skip] == '#')
			continue;
		if (ll - skip > LINE_MAX_LEN) {
			diag(k, file, lineno, "line too long");
			continue;
		}
		const char *why = one_line(k, (const char *)start + skip, ll - skip);
		if (why) {
			diag(k, file, lineno, why);
			if (k->nesp == k->lim.esp_sas_max)
				st = IKS_E_LIMIT;
		}
	}
	return st;
}

iks_status iks_keys_load_file(iks_keys *k, const char *path, char *errbuf)
{
	if (!k || !path)
		return IKS_E_INVALID;
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot read key file: %s", path, strerror(errno));
		return IKS_E_IO;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			if (cap >= 64u << 20)
				break; /* key files are small; a bigger one is read as far as this */
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	bool err = ferror(f);
	fclose(f);
	if (!buf || err) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		return buf ? IKS_E_IO : IKS_E_NOMEM;
	}
	iks_status st = iks_keys_load_buffer(k, path, buf, len);
	memset(buf, 0, len);
	free(buf);
	return st;
}

static int cmp_sa(const void *x, const void *y)
{
	const esp_sa *a = x, *b = y;
	if (a->spi != b->spi)
		return a->spi < b->spi ? -1 : 1;
	return (int)a->any_dst - (int)b->any_dst; /* specific destinations first */
}

static const esp_sa *find_sa(const iks_keys *k, uint32_t spi, const iks_addr *dst, bool ah);

const esp_sa *keys_find_esp(const iks_keys *k, uint32_t spi, const iks_addr *dst)
{
	return find_sa(k, spi, dst, false);
}

const esp_sa *keys_find_ah(const iks_keys *k, uint32_t spi, const iks_addr *dst)
{
	return find_sa(k, spi, dst, true);
}

static const esp_sa *find_sa(const iks_keys *k, uint32_t spi, const iks_addr *dst, bool ah)
{
	if (!k || !k->nesp)
		return NULL;
	if (!k->sorted) {
		/* sorting does not change what the store holds, only its order */
		iks_keys *mk = (iks_keys *)(uintptr_t)k;
		qsort(mk->esp, mk->nesp, sizeof(*mk->esp), cmp_sa);
		mk->sorted = true;
	}
	size_t lo = 0, hi = k->nesp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (k->esp[mid].spi < spi)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < k->nesp && k->esp[i].spi == spi; i++)
		if (k->esp[i].ah == ah &&
		    (k->esp[i].any_dst || !dst || !memcmp(&k->esp[i].dst, dst, sizeof(*dst))))
			return &k->esp[i];
	return NULL;
}

const char *iks_esp_enc_name(int enc)
{
	switch (enc) {
	case IKS_ENC_NULL: return "NULL";
	case IKS_ENC_AES_CBC: return "AES-CBC";
	case IKS_ENC_AES_CTR: return "AES-CTR";
	case IKS_ENC_AES_GCM_8: return "AES-GCM-8";
	case IKS_ENC_AES_GCM_12: return "AES-GCM-12";
	case IKS_ENC_AES_GCM_16: return "AES-GCM-16";
	case IKS_ENC_3DES_CBC: return "3DES-CBC";
	}
	return "unknown";
}

const char *iks_esp_auth_name(int auth)
{
	switch (auth) {
	case IKS_AUTH_NONE: return "none";
	case IKS_AUTH_HMAC_SHA1_96: return "HMAC-SHA1-96";
	case IKS_AUTH_HMAC_SHA256_128: return "HMAC-SHA256-128";
	case IKS_AUTH_HMAC_SHA384_192: return "HMAC-SHA384-192";
	case IKS_AUTH_HMAC_SHA512_256: return "HMAC-SHA512-256";
	case IKS_AUTH_HMAC_MD5_96: return "HMAC-MD5-96";
	}
	return "unknown";
}
