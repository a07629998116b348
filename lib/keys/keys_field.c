/*
 * keys_field.c - the text pieces key files are made of (fields, "0x" hex,
 * SPIs, CSV and blank-separated lines), shared by the key file parsers.
 * Hex digits and IP addresses come from core/text.h. Key bytes parsed here
 * go only into the caller's buffer.
 */
#include "config.h"

#include <string.h>

#include "core/text.h"
#include "keys/keys_internal.h"

bool feq(field f, const char *s)
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

bool fprefix(field f, const char *s)
{
	size_t n = strlen(s);
	return f.len >= n && feq((field){ f.p, n }, s);
}

/* Hex bytes ("0x" optional) into out; returns the byte count or -1. */
int parse_hex(field f, uint8_t *out, size_t cap)
{
	if (f.len >= 2 && f.p[0] == '0' && (f.p[1] == 'x' || f.p[1] == 'X')) {
		f.p += 2;
		f.len -= 2;
	}
	return text_hex_bytes(f.p, f.len, out, cap);
}

bool parse_u32(field f, uint32_t *v)
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

/* Split a CSV line (fields optionally in double quotes). */
size_t split_csv(const char *s, size_t len, field *f, size_t max)
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

size_t split_ws(const char *s, size_t len, field *f, size_t max)
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

bool all_hex(field f)
{
	for (size_t i = 0; i < f.len; i++)
		if (text_hexval(f.p[i]) < 0)
			return false;
	return f.len > 0;
}

/* Key length an algorithm needs (enc: with its salt/nonce); 0: any of a set. */
bool enc_key_ok(int enc, int len)
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
