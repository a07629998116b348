/*
 * keys.c - the key store and key files: each file is read line by line
 * through the bounds-checked reader and each line handed to the format
 * that accepts it (keys_wireshark.c, keys_tcpdump.c); a strongSwan charon
 * log is recognised by its first line and read as one (keys_charon.c). A bad line is a
 * diagnostic (file, line, reason), never fatal; key bytes never reach a
 * diagnostic.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys_internal.h"
#include "core/reader.h"

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
	ikev2_sa *c_ike2;      /* from charon logs: no SPIs */
	size_t nc_ike2, cap_c_ike2;
	ikev1_key *c_ike1;     /* from charon logs: no cookie */
	size_t nc_ike1, cap_c_ike1;
	charon_child *c_child;
	size_t nc_child, cap_c_child;
	iks_keys_diag *diags;
	size_t ndiags;
	char **files;          /* names used in diagnostics */
	size_t nfiles;
	iks_keys_info info;
};

iks_keys *iks_keys_new(const iks_keys_limits *lim)
{
	if (iks_global_init() != IKS_OK)
		return NULL;
	iks_keys *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->lim.esp_sas_max = lim && lim->esp_sas_max ? lim->esp_sas_max : 100000;
	k->lim.diags_max = lim && lim->diags_max ? lim->diags_max : 1000;
	k->lim.charon_sets_max = lim && lim->charon_sets_max ? lim->charon_sets_max : 10000;
	k->diags = calloc(k->lim.diags_max, sizeof(*k->diags));
	if (!k->diags) {
		free(k);
		return NULL;
	}
	return k;
}

static void wipe_free(void *p, size_t n)
{
	if (p) {
		volatile uint8_t *v = p;
		for (size_t i = 0; i < n; i++)
			v[i] = 0;
	}
	free(p);
}

void iks_keys_free(iks_keys *k)
{
	if (!k)
		return;
	/* wipe the keys before the memory goes back */
	wipe_free(k->esp, k->cap_esp * sizeof(*k->esp));
	wipe_free(k->ike2, k->cap_ike2 * sizeof(*k->ike2));
	wipe_free(k->ike1, k->cap_ike1 * sizeof(*k->ike1));
	wipe_free(k->c_ike2, k->cap_c_ike2 * sizeof(*k->c_ike2));
	wipe_free(k->c_ike1, k->cap_c_ike1 * sizeof(*k->c_ike1));
	wipe_free(k->c_child, k->cap_c_child * sizeof(*k->c_child));
	free(k->diags);
	for (size_t i = 0; i < k->nfiles; i++)
		free(k->files[i]);
	free(k->files);
	free(k);
}

void keys_diag(iks_keys *k, const char *file, uint32_t line, const char *reason)
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

const char *keys_add_esp(iks_keys *k, const esp_sa *sa)
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


/* Grow an array of key records (wiping the old copy); NULL or why not.
 * Beyond max: `full`, or (clamp) grown to max first. */
static const char *grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first, size_t max,
			bool clamp, const char *full)
{
	if (n < *cap)
		return NULL;
	size_t nc = *cap ? *cap * 2 : first;
	if (clamp && nc > max)
		nc = max;
	if (nc > max || nc <= n)
		return full;
	uint8_t *grown = calloc(nc, elem);
	if (!grown)
		return "out of memory";
	if (*arr) {
		memcpy(grown, *arr, n * elem);
		volatile uint8_t *p = (volatile uint8_t *)*arr;
		for (size_t i = 0; i < *cap * elem; i++)
			p[i] = 0;
		free(*arr);
	}
	*arr = grown;
	*cap = nc;
	return NULL;
}

const char *keys_add_ikev2(iks_keys *k, const ikev2_sa *sa)
{
	void *arr = k->ike2;
	const char *why = grow(&arr, &k->cap_ike2, k->nike2, sizeof(*sa), 8, k->lim.esp_sas_max, false,
			       "esp_sas_max reached: IKE SA not kept");
	k->ike2 = arr;
	if (why)
		return why;
	k->ike2[k->nike2++] = *sa;
	k->info.ikev2_sas++;
	return NULL;
}

const char *keys_add_ikev1(iks_keys *k, const ikev1_key *key)
{
	void *arr = k->ike1;
	const char *why = grow(&arr, &k->cap_ike1, k->nike1, sizeof(*key), 8, k->lim.esp_sas_max, false,
			       "esp_sas_max reached: IKE SA not kept");
	k->ike1 = arr;
	if (why)
		return why;
	k->ike1[k->nike1++] = *key;
	k->info.ikev1_sas++;
	return NULL;
}

static bool charon_full(const iks_keys *k)
{
	return k->nc_ike2 + k->nc_ike1 + k->nc_child >= k->lim.charon_sets_max;
}

#define CHARON_FULL "charon_sets_max reached: key set not kept"

const char *keys_add_charon_ikev2(iks_keys *k, const ikev2_sa *sa)
{
	if (charon_full(k))
		return CHARON_FULL;
	void *arr = k->c_ike2;
	const char *why = grow(&arr, &k->cap_c_ike2, k->nc_ike2, sizeof(*sa), 8,
			       k->lim.charon_sets_max, true, CHARON_FULL);
	k->c_ike2 = arr;
	if (why)
		return why;
	k->c_ike2[k->nc_ike2++] = *sa;
	k->info.charon_ikev2_sets++;
	return NULL;
}

const char *keys_add_charon_ikev1(iks_keys *k, const ikev1_key *key)
{
	if (charon_full(k))
		return CHARON_FULL;
	void *arr = k->c_ike1;
	const char *why = grow(&arr, &k->cap_c_ike1, k->nc_ike1, sizeof(*key), 8,
			       k->lim.charon_sets_max, true, CHARON_FULL);
	k->c_ike1 = arr;
	if (why)
		return why;
	k->c_ike1[k->nc_ike1++] = *key;
	k->info.charon_ikev1_sets++;
	return NULL;
}

const char *keys_add_charon_child(iks_keys *k, const charon_child *c)
{
	if (charon_full(k))
		return CHARON_FULL;
	void *arr = k->c_child;
	const char *why = grow(&arr, &k->cap_c_child, k->nc_child, sizeof(*c), 8,
			       k->lim.charon_sets_max, true, CHARON_FULL);
	k->c_child = arr;
	if (why)
		return why;
	k->c_child[k->nc_child++] = *c;
	k->info.charon_child_sets++;
	return NULL;
}

size_t keys_charon_ikev2(const iks_keys *k, const ikev2_sa **sets)
{
	*sets = k ? k->c_ike2 : NULL;
	return k ? k->nc_ike2 : 0;
}

size_t keys_charon_ikev1(const iks_keys *k, const ikev1_key **sets)
{
	*sets = k ? k->c_ike1 : NULL;
	return k ? k->nc_ike1 : 0;
}

size_t keys_charon_children(const iks_keys *k, const charon_child **sets)
{
	*sets = k ? k->c_child : NULL;
	return k ? k->nc_child : 0;
}

const charon_child *keys_charon_child_of(const iks_keys *k, uint32_t spi, int *dir)
{
	/* the newest first: a SPI value logged twice is the later SA's */
	for (size_t i = k ? k->nc_child : 0; i-- > 0;)
		for (int d = 0; d < 2; d++)
			if (k->c_child[i].spi[d] == spi) {
				*dir = d;
				return &k->c_child[i];
			}
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
	if (keys_is_charon_log(data, len))
		return keys_charon_load(k, file, data, len);
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
