/*
 * keys.c - key files: each file is read line by line through the
 * bounds-checked reader and each line handed to the format that accepts it
 * (keys_wireshark.c, keys_tcpdump.c); a strongSwan charon log is
 * recognised by its first line and read as one (keys_charon.c). A bad line
 * is a diagnostic (file, line, reason), never fatal; key bytes never reach
 * a diagnostic. This is the top of the key-file readers: it calls them and
 * the store (key_store.c), and nothing there calls back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reader.h"
#include "keys/key_store.h"
#include "keys/keys_internal.h"

#define FIELDS_MAX 12
#define LINE_MAX_LEN 4096

static const char *one_line(iks_keys *k, const char *s, size_t len)
{
	field f[FIELDS_MAX];
	size_t n = split_ws(s, len, f, FIELDS_MAX);
	if (n >= 2 && memchr(f[0].p, '@', f[0].len))
		return tcpdump_esp(k, f, n);
	if (n >= 1 && feq(f[0], "ikev2")) {
		keys_count_ikev2_line(k);
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

iks_status iks_keys_load_buffer(iks_keys *k, const char *name, const uint8_t *data, size_t len)
{
	if (!k || (!data && len))
		return IKS_E_INVALID;
	const char *file = keys_keep_name(k, name);
	if (!file)
		return IKS_E_NOMEM;
	if (keys_is_charon_log(data, len)) {
		iks_status cst = keys_charon_load(k, file, data, len);
		keys_sort(k);
		return cst;
	}
	iks_reader r = rd_init(data, len, 0);
	uint32_t lineno = 0;
	iks_status st = IKS_OK;
	iks_span ln;
	while (rd_line(&r, &ln)) {
		const uint8_t *start = ln.p;
		size_t n = ln.len;
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
			keys_diag(k, file, lineno, "line too long");
			continue;
		}
		const char *why = one_line(k, (const char *)start + skip, ll - skip);
		if (why) {
			keys_diag(k, file, lineno, why);
			if (keys_esp_full(k))
				st = IKS_E_LIMIT;
		}
	}
	keys_sort(k);
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
