/*
 * key_store.c - the key store: ESP/AH SAs (sorted by SPI when a load ends),
 * IKEv2 SA keys, IKEv1 Ka, the key sets read from charon logs, and the
 * diagnostics of bad lines. Every array is capped by iks_keys_limits; a
 * record that does not fit is refused with a reason for the diagnostic.
 * Key bytes are wiped before their memory is freed or moved.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keys/key_store.h"

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

static int cmp_sa(const void *x, const void *y)
{
	const esp_sa *a = x, *b = y;
	if (a->spi != b->spi)
		return a->spi < b->spi ? -1 : 1;
	return (int)a->any_dst - (int)b->any_dst; /* specific destinations first */
}

static const esp_sa *find_sa(const iks_keys *k, uint32_t spi, const iks_addr *dst, bool ah);

void keys_sort(iks_keys *k)
{
	/* stable (glibc's qsort merges; ties are kept in the order added):
	 * sorting after each file equals sorting once after all of them */
	if (k && !k->sorted && k->nesp)
		qsort(k->esp, k->nesp, sizeof(*k->esp), cmp_sa);
	if (k)
		k->sorted = true;
}

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
		/* not sorted (added to outside iks_keys_load_*): a lookup never
		 * writes, so that threads may share a loaded store */
		const esp_sa *any = NULL;
		for (size_t i = 0; i < k->nesp; i++)
			if (k->esp[i].spi == spi && k->esp[i].ah == ah &&
			    (k->esp[i].any_dst || !dst || !memcmp(&k->esp[i].dst, dst, sizeof(*dst)))) {
				if (!k->esp[i].any_dst)
					return &k->esp[i];
				if (!any)
					any = &k->esp[i];
			}
		return any;
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

const char *keys_keep_name(iks_keys *k, const char *name)
{
	char **nf = realloc(k->files, (k->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	k->files = nf;
	k->files[k->nfiles] = strdup(name ? name : "(buffer)");
	return k->files[k->nfiles] ? k->files[k->nfiles++] : NULL;
}

bool keys_esp_full(const iks_keys *k)
{
	return k->nesp == k->lim.esp_sas_max;
}

void keys_count_ikev2_line(iks_keys *k)
{
	k->info.ikev2_sas++;
}
