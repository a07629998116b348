/*
 * keys_charon.c - keys from strongSwan charon logs written at ike=4 and
 * chd=4 (or more), which dump the keys they derive:
 *
 *   HH:MM:SS TT[GRP] NAME => N bytes @ 0xADDR
 *   HH:MM:SS TT[GRP]    0: 8E 95 4A ...  (16 bytes a line, then ASCII)
 *
 * Lines of other threads may come between a dump's lines. Used here:
 * "selected proposal: IKE:..." / "ESP:..." / "AH:..." (the algorithms),
 * IKEv2 "Sk_ei/Sk_er/Sk_ai/Sk_ar secret" (RFC 7296 section 2.14), IKEv1
 * "encryption key Ka" (RFC 2409 appendix B), CHILD_SA "encryption/integrity
 * initiator/responder key" (RFC 7296 section 2.17), "  SPI 0x..., src A dst
 * B" and "CHILD_SA NAME{N} established with SPIs X_i Y_o". The log names no
 * IKE SPIs or cookies: the decoder binds these sets to SAs by trial
 * (key_bind.c). A charon responder may log the selected proposal in
 * another thread than the keys: a set takes its own thread's proposal, else
 * the oldest one not yet used whose key lengths fit, else the newest that
 * fits. Diagnostics name the file and line, never key bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "keys/keys_internal.h"
#include "log/log_internal.h"
#include "core/reader.h"

#define CH_THREADS 64
#define CH_PROPOSALS 16
#define CH_DUMP_MAX 64     /* the largest key kept (AUTH_KEY_MAX) */

enum { PK_IKE = 1, PK_ESP, PK_AH };

/* A "selected proposal" line's algorithms. */
typedef struct ch_prop {
	bool used, consumed;
	uint32_t thread;
	uint64_t seq;
	int kind;              /* PK_* */
	int enc;               /* iks_esp_enc (ESP) */
	int enc2;              /* ikev2_enc (IKE) */
	int integ;             /* iks_esp_auth */
	unsigned key_bytes;    /* encryption key length with salt/nonce */
} ch_prop;

/* What a dump fills. */
enum { D_NONE, D_SK_EI, D_SK_ER, D_SK_AI, D_SK_AR, D_KA, D_ENC_I, D_ENC_R, D_INT_I, D_INT_R };

typedef struct ch_thread {
	bool used;
	uint32_t tid;
	uint64_t last_use;
	/* the dump in progress */
	int dump;
	uint32_t dump_line, dump_want, dump_got;
	uint8_t dump_buf[CH_DUMP_MAX];
	/* IKEv2 keys: SK_ei, SK_er, SK_ai, SK_ar */
	uint8_t sk[4][CH_DUMP_MAX];
	uint8_t sk_len[4];
	unsigned sk_have;      /* bit per key */
	uint32_t sk_line;
	/* CHILD_SA keys: enc i, enc r, integ i, integ r; SPIs */
	int child_prop;        /* index + 1 into proposals of this thread's ESP proposal, 0 none */
	bool child_open;
	uint8_t ck[4][CH_DUMP_MAX];
	uint8_t ck_len[4];
	unsigned ck_have;
	uint32_t ck_line;
	uint32_t spi[2];       /* inbound, outbound */
	iks_addr dst[2];
	bool have_dst[2];
	int next_dir;          /* "adding inbound/outbound ESP SA": 0 in, 1 out, -1 unknown */
	uint32_t spi_seen[2];  /* from "SPI 0x..., src A dst B", in order */
	iks_addr spi_dst[2];
	unsigned nspi_seen;
	int spi_dir[2];
} ch_thread;

typedef struct ch_state {
	iks_keys *k;
	const char *file;
	ch_thread th[CH_THREADS];
	ch_prop prop[CH_PROPOSALS];
	uint64_t tick;
	iks_status st;
} ch_state;

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	for (size_t i = 0; i < n; i++)
		v[i] = 0;
}

static bool starts(field f, const char *s)
{
	size_t n = strlen(s);
	return f.len >= n && !memcmp(f.p, s, n);
}

static void add_result(ch_state *s, uint32_t line, const char *why)
{
	if (!why)
		return;
	keys_diag(s->k, s->file, line, why);
	if (strstr(why, "_max reached"))
		s->st = IKS_E_LIMIT;
}

/* A thread's state (the least recently used slot is reused; what it held
 * unfinished is said). */
static ch_thread *thread_of(ch_state *s, uint32_t tid, uint32_t line)
{
	ch_thread *lru = &s->th[0];
	s->tick++;
	for (int i = 0; i < CH_THREADS; i++) {
		ch_thread *t = &s->th[i];
		if (t->used && t->tid == tid) {
			t->last_use = s->tick;
			return t;
		}
		if (!t->used || (lru->used && t->last_use < lru->last_use))
			lru = t;
	}
	if (lru->used && (lru->dump || lru->sk_have || lru->ck_have))
		keys_diag(s->k, s->file, line,
			  "charon log: more than 64 threads at once; an unfinished key set was dropped");
	wipe(lru, sizeof(*lru));
	lru->used = true;
	lru->tid = tid;
	lru->last_use = s->tick;
	lru->next_dir = -1;
	return lru;
}

/* "selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_.../MODP_2048" */
static void proposal(ch_state *s, ch_thread *t, field text, uint32_t line)
{
	ch_prop p;
	memset(&p, 0, sizeof(p));
	field f = { text.p + 19, text.len - 19 }; /* after "selected proposal: " */
	if (starts(f, "IKE:"))
		p.kind = PK_IKE;
	else if (starts(f, "ESP:"))
		p.kind = PK_ESP;
	else if (starts(f, "AH:"))
		p.kind = PK_AH;
	else
		return;
	size_t i = p.kind == PK_AH ? 3 : 4;
	bool have_enc = p.kind == PK_AH, have_integ = false;
	if (p.kind == PK_AH) {
		p.enc = IKS_ENC_NULL;
		p.enc2 = IKEV2_ENC_NONE;
	}
	while (i < f.len) {
		size_t j = i;
		while (j < f.len && f.p[j] != '/' && f.p[j] != ' ')
			j++;
		field a = { f.p + i, j - i };
		if (!have_enc && charon_enc_name(a, &p.enc, &p.enc2, &p.key_bytes)) {
			have_enc = true;
		} else if (!have_integ && charon_integ_name(a) != IKS_AUTH_UNKNOWN) {
			p.integ = charon_integ_name(a);
			have_integ = true;
		} else if (!charon_ignored_name(a)) {
			keys_diag(s->k, s->file, line,
				  "charon log: unknown or unsupported algorithm in the selected proposal");
			if (p.kind != PK_IKE)
				t->child_prop = -1; /* this CHILD_SA's keys cannot be used */
			return;
		}
		if (j < f.len && f.p[j] == ' ')
			break;
		i = j + 1;
	}
	if (!have_enc) {
		keys_diag(s->k, s->file, line, "charon log: selected proposal without an encryption algorithm");
		return;
	}
	if (!have_integ)
		p.integ = IKS_AUTH_NONE;
	p.used = true;
	p.thread = t->tid;
	p.seq = ++s->tick;
	/* the oldest slot gives way */
	ch_prop *slot = &s->prop[0];
	for (int n = 0; n < CH_PROPOSALS; n++) {
		if (!s->prop[n].used) {
			slot = &s->prop[n];
			break;
		}
		if (s->prop[n].seq < slot->seq)
			slot = &s->prop[n];
	}
	*slot = p;
	if (p.kind != PK_IKE)
		t->child_prop = (int)(slot - s->prop) + 1;
}

static bool prop_fits(const ch_prop *p, unsigned enc_len, unsigned integ_len)
{
	unsigned want_integ = 0;
	switch (p->integ) {
	case IKS_AUTH_HMAC_SHA1_96: want_integ = 20; break;
	case IKS_AUTH_HMAC_SHA256_128: want_integ = 32; break;
	case IKS_AUTH_HMAC_SHA384_192: want_integ = 48; break;
	case IKS_AUTH_HMAC_SHA512_256: want_integ = 64; break;
	case IKS_AUTH_HMAC_MD5_96: want_integ = 16; break;
	default: break;
	}
	return p->key_bytes == enc_len && want_integ == integ_len;
}

/* The proposal a set of keys belongs to (see the head comment). */
static const ch_prop *pick(ch_state *s, const ch_thread *t, bool ike, unsigned enc_len,
			   unsigned integ_len)
{
	const ch_prop *own = NULL, *oldest = NULL, *newest = NULL;
	for (int i = 0; i < CH_PROPOSALS; i++) {
		const ch_prop *p = &s->prop[i];
		if (!p->used || (p->kind == PK_IKE) != ike || !prop_fits(p, enc_len, integ_len))
			continue;
		if (!p->consumed && p->thread == t->tid && (!own || p->seq > own->seq))
			own = p;
		if (!p->consumed && (!oldest || p->seq < oldest->seq))
			oldest = p;
		if (!newest || p->seq > newest->seq)
			newest = p;
	}
	const ch_prop *p = own ? own : oldest ? oldest : newest;
	if (p)
		s->prop[p - s->prop].consumed = true;
	return p;
}

static void ike_set_done(ch_state *s, ch_thread *t)
{
	ikev2_sa sa;
	memset(&sa, 0, sizeof(sa));
	const ch_prop *p = pick(s, t, true, t->sk_len[0], t->sk_len[2]);
	if (!p) {
		keys_diag(s->k, s->file, t->sk_line,
			  "charon log: IKE keys whose lengths fit no selected IKE proposal");
	} else if (t->sk_len[0] != t->sk_len[1] || t->sk_len[2] != t->sk_len[3] ||
		   t->sk_len[0] > ESP_KEY_MAX || t->sk_len[2] > AUTH_KEY_MAX) {
		keys_diag(s->k, s->file, t->sk_line, "charon log: IKE keys of unequal or unusable lengths");
	} else {
		sa.enc = p->enc2;
		sa.integ = p->integ;
		sa.key_len = t->sk_len[0];
		sa.integ_key_len = t->sk_len[2];
		memcpy(sa.sk_ei, t->sk[0], sa.key_len);
		memcpy(sa.sk_er, t->sk[1], sa.key_len);
		memcpy(sa.sk_ai, t->sk[2], sa.integ_key_len);
		memcpy(sa.sk_ar, t->sk[3], sa.integ_key_len);
		add_result(s, t->sk_line, keys_add_charon_ikev2(s->k, &sa));
		wipe(&sa, sizeof(sa));
	}
	wipe(t->sk, sizeof(t->sk));
	memset(t->sk_len, 0, sizeof(t->sk_len));
	t->sk_have = 0;
}

static void ka_done(ch_state *s, ch_thread *t)
{
	ikev1_key key;
	memset(&key, 0, sizeof(key));
	if (t->dump_want != 8 && t->dump_want != 16 && t->dump_want != 24 && t->dump_want != 32) {
		keys_diag(s->k, s->file, t->dump_line, "charon log: Ka is not 8, 16, 24 or 32 bytes");
		return;
	}
	memcpy(key.ka, t->dump_buf, t->dump_want);
	key.ka_len = (uint8_t)t->dump_want;
	add_result(s, t->dump_line, keys_add_charon_ikev1(s->k, &key));
	wipe(&key, sizeof(key));
}

/* A CHILD_SA's keys and SPIs are all there: store them. */
static void child_done(ch_state *s, ch_thread *t, uint32_t line)
{
	charon_child c;
	memset(&c, 0, sizeof(c));
	const ch_prop *p = NULL;
	if (t->child_prop > 0) {
		p = &s->prop[t->child_prop - 1];
		if (p->consumed || p->thread != t->tid || !prop_fits(p, t->ck_len[0], t->ck_len[2]))
			p = NULL;
		else
			s->prop[t->child_prop - 1].consumed = true;
	}
	if (!p && t->child_prop >= 0)
		p = pick(s, t, false, t->ck_len[0], t->ck_len[2]);
	if (t->child_prop < 0) {
		/* its proposal was diagnosed already */
	} else if (!p) {
		keys_diag(s->k, s->file, t->ck_line,
			  "charon log: CHILD_SA keys whose lengths fit no selected ESP/AH proposal");
	} else if (!t->spi[0] && !t->spi[1]) {
		keys_diag(s->k, s->file, line, "charon log: CHILD_SA keys without SPIs");
	} else {
		for (int r = 0; r < 2; r++) {
			esp_sa *e = &c.key[r];
			e->ah = p->kind == PK_AH;
			e->enc = p->enc;
			e->auth = p->integ;
			e->enc_key_len = t->ck_len[r];
			e->auth_key_len = t->ck_len[2 + r];
			memcpy(e->enc_key, t->ck[r], e->enc_key_len);
			memcpy(e->auth_key, t->ck[2 + r], e->auth_key_len);
		}
		for (int d = 0; d < 2; d++) {
			c.spi[d] = t->spi[d];
			c.dst[d] = t->dst[d];
			c.have_dst[d] = t->have_dst[d];
		}
		add_result(s, line, keys_add_charon_child(s->k, &c));
		wipe(&c, sizeof(c));
	}
	wipe(t->ck, sizeof(t->ck));
	memset(t->ck_len, 0, sizeof(t->ck_len));
	t->ck_have = 0;
	t->child_open = false;
	t->child_prop = 0;
	t->nspi_seen = 0;
	memset(t->spi, 0, sizeof(t->spi));
	memset(t->have_dst, 0, sizeof(t->have_dst));
}

/* A finished dump: where its bytes go. */
static void dump_done(ch_state *s, ch_thread *t)
{
	int d = t->dump;
	t->dump = D_NONE;
	if (d >= D_SK_EI && d <= D_SK_AR) {
		int i = d - D_SK_EI;
		if (!t->sk_have)
			t->sk_line = t->dump_line;
		memcpy(t->sk[i], t->dump_buf, t->dump_want);
		t->sk_len[i] = (uint8_t)t->dump_want;
		t->sk_have |= 1u << i;
		if (t->sk_have == 0xf)
			ike_set_done(s, t);
	} else if (d == D_KA) {
		ka_done(s, t);
	} else if (d >= D_ENC_I) {
		int i = d - D_ENC_I;
		if (!t->ck_have)
			t->ck_line = t->dump_line;
		memcpy(t->ck[i], t->dump_buf, t->dump_want);
		t->ck_len[i] = (uint8_t)t->dump_want;
		t->ck_have |= 1u << i;
		t->child_open = true;
	}
	wipe(t->dump_buf, sizeof(t->dump_buf));
}

/* "NAME => N bytes @ 0x...": a dump of a key we use starts. */
static void dump_start(ch_state *s, ch_thread *t, field text, uint32_t line)
{
	static const struct {
		const char *name;
		int dump;
	} names[] = {
		{ "Sk_ei secret", D_SK_EI }, { "Sk_er secret", D_SK_ER },
		{ "Sk_ai secret", D_SK_AI }, { "Sk_ar secret", D_SK_AR },
		{ "encryption key Ka", D_KA },
		{ "encryption initiator key", D_ENC_I }, { "encryption responder key", D_ENC_R },
		{ "integrity initiator key", D_INT_I }, { "integrity responder key", D_INT_R },
	};
	int d = D_NONE;
	size_t nl = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		nl = strlen(names[i].name);
		if (starts(text, names[i].name) && text.len > nl + 4 && !memcmp(text.p + nl, " => ", 4)) {
			d = names[i].dump;
			break;
		}
	}
	if (d == D_NONE) {
		/* with an AEAD algorithm charon derives no SK_ai/SK_ar: the set
		 * is whole when SK_pi follows SK_ei and SK_er */
		if (starts(text, "Sk_pi secret => ") && t->sk_have == 0x3)
			ike_set_done(s, t);
		return;
	}
	if (t->dump)
		keys_diag(s->k, s->file, t->dump_line, "charon log: key dump cut short by another dump");
	t->dump = D_NONE;
	size_t i = nl + 4;
	uint32_t n = 0;
	unsigned digits = 0;
	while (i < text.len && text.p[i] >= '0' && text.p[i] <= '9' && digits < 10) {
		n = n * 10 + (uint32_t)(text.p[i] - '0');
		i++;
		digits++;
	}
	if (!digits || text.len - i < 6 || memcmp(text.p + i, " bytes", 6) != 0) {
		keys_diag(s->k, s->file, line, "charon log: key dump line without a byte count");
		return;
	}
	if (n > CH_DUMP_MAX || digits == 10) {
		keys_diag(s->k, s->file, line, "charon log: key dump longer than any key ikescope uses");
		return;
	}
	t->dump = d;
	t->dump_line = line;
	t->dump_want = n;
	t->dump_got = 0;
	if (n == 0)
		dump_done(s, t);
}

/* "   0: 8E 95 ...": true when the line is a dump line (used or not). */
static bool dump_line(ch_state *s, ch_thread *t, field text, uint32_t line)
{
	size_t i = 0;
	while (i < text.len && text.p[i] == ' ')
		i++;
	uint32_t off = 0;
	unsigned digits = 0;
	while (i < text.len && text.p[i] >= '0' && text.p[i] <= '9' && digits < 6) {
		off = off * 10 + (uint32_t)(text.p[i] - '0');
		i++;
		digits++;
	}
	if (!digits || i >= text.len || text.p[i] != ':' || i == digits)
		return false; /* not a dump line (those start with spaces) */
	i++;
	if (!t->dump)
		return true;
	if (off != t->dump_got) {
		keys_diag(s->k, s->file, line, "charon log: key dump offsets out of order");
		t->dump = D_NONE;
		wipe(t->dump_buf, sizeof(t->dump_buf));
		return true;
	}
	uint32_t take = t->dump_want - t->dump_got;
	if (take > 16)
		take = 16;
	for (uint32_t b = 0; b < take; b++) {
		int h, l;
		if (text.len - i < 3 || text.p[i] != ' ' || (h = text_hexval(text.p[i + 1])) < 0 ||
		    (l = text_hexval(text.p[i + 2])) < 0) {
			keys_diag(s->k, s->file, line, "charon log: key dump line shorter than its byte count");
			t->dump = D_NONE;
			wipe(t->dump_buf, sizeof(t->dump_buf));
			return true;
		}
		t->dump_buf[t->dump_got++] = (uint8_t)(h << 4 | l);
		i += 3;
	}
	if (t->dump_got == t->dump_want)
		dump_done(s, t);
	return true;
}

/* "  SPI 0x6a1e352a, src 198.51.100.1 dst 192.0.2.1" */
static void spi_line(ch_thread *t, field text)
{
	field f[6];
	size_t n = split_ws(text.p, text.len, f, 6);
	uint32_t spi;
	if (n < 6 || !feq(f[0], "SPI") || f[1].len < 2 || f[1].p[f[1].len - 1] != ',')
		return;
	f[1].len--;
	if (!parse_u32(f[1], &spi) || t->nspi_seen == 2)
		return;
	unsigned k = t->nspi_seen++;
	t->spi_seen[k] = spi;
	t->spi_dir[k] = t->next_dir;
	if (!feq(f[4], "dst") || !text_ip(f[5].p, f[5].len, &t->spi_dst[k]))
		memset(&t->spi_dst[k], 0, sizeof(t->spi_dst[k]));
	t->next_dir = -1;
}

/* "CHILD_SA NAME{N} established with SPIs 6a1e352a_i fe7eaf53_o and TS ..." */
static void established(ch_state *s, ch_thread *t, field text, uint32_t line)
{
	field f[8];
	size_t n = split_ws(text.p, text.len, f, 8);
	if (n < 6 || !feq(f[2], "established") || !feq(f[4], "SPIs"))
		return;
	for (size_t i = 5; i < n && i < 7; i++) {
		field w = f[i];
		if (w.len < 3 || w.p[w.len - 2] != '_')
			continue;
		int d = w.p[w.len - 1] == 'i' ? 0 : w.p[w.len - 1] == 'o' ? 1 : -1;
		uint32_t spi;
		if (d < 0 || !parse_u32((field){ w.p, w.len - 2 }, &spi))
			continue;
		t->spi[d] = spi;
		for (unsigned k = 0; k < t->nspi_seen; k++)
			if (t->spi_seen[k] == spi && t->spi_dst[k].family) {
				t->dst[d] = t->spi_dst[k];
				t->have_dst[d] = true;
			}
	}
	if (t->child_open)
		child_done(s, t, line);
}

static void one_line(ch_state *s, const uint8_t *line, size_t len, uint32_t lineno)
{
	uint32_t tid;
	size_t off;
	if (!charon_line_prefix(line, len, &tid, &off))
		return; /* not a charon line: nothing for us */
	field text = { (const char *)line + off, len - off };
	ch_thread *t = thread_of(s, tid, lineno);
	if (dump_line(s, t, text, lineno))
		return;
	if (t->dump) {
		keys_diag(s->k, s->file, t->dump_line, "charon log: key dump cut short (truncated dump)");
		t->dump = D_NONE;
		wipe(t->dump_buf, sizeof(t->dump_buf));
	}
	if (starts(text, "selected proposal: ")) {
		proposal(s, t, text, lineno);
	} else if (starts(text, "CHILD_SA ")) {
		established(s, t, text, lineno);
	} else if (starts(text, "adding inbound ")) {
		t->next_dir = 0;
	} else if (starts(text, "adding outbound ")) {
		t->next_dir = 1;
	} else if (starts(text, "  SPI 0x")) {
		spi_line(t, text);
	} else if (memchr(text.p, '=', text.len)) {
		dump_start(s, t, text, lineno);
	}
}

static void finish(ch_state *s)
{
	for (int i = 0; i < CH_THREADS; i++) {
		ch_thread *t = &s->th[i];
		if (!t->used)
			continue;
		if (t->dump)
			keys_diag(s->k, s->file, t->dump_line,
				  "charon log: key dump cut short by the end of the file");
		if (t->sk_have)
			keys_diag(s->k, s->file, t->sk_line,
				  "charon log: IKE keys incomplete at the end of the file");
		if (t->child_open) {
			/* keys and SPIs logged, the "established" line missing:
			 * the SPI lines say which SPI is which */
			for (unsigned k = 0; k < t->nspi_seen; k++) {
				int d = t->spi_dir[k] >= 0 ? t->spi_dir[k] : (int)k;
				t->spi[d] = t->spi_seen[k];
				t->dst[d] = t->spi_dst[k];
				t->have_dst[d] = t->spi_dst[k].family != 0;
			}
			child_done(s, t, t->ck_line);
		}
	}
	wipe(s->th, sizeof(s->th));
}

iks_status keys_charon_load(iks_keys *k, const char *file, const uint8_t *data, size_t len)
{
	ch_state *s = calloc(1, sizeof(*s));
	if (!s)
		return IKS_E_NOMEM;
	s->k = k;
	s->file = file;
	s->st = IKS_OK;
	iks_reader r = rd_init(data, len, 0);
	uint32_t lineno = 0;
	iks_span ln;
	while (rd_line(&r, &ln)) {
		const uint8_t *start = ln.p;
		size_t n = ln.len;
		lineno++;
		while (n && start[n - 1] == '\r')
			n--;
		one_line(s, start, n, lineno);
	}
	finish(s);
	iks_status st = s->st;
	wipe(s, sizeof(*s));
	free(s);
	return st;
}

bool keys_is_charon_log(const uint8_t *data, size_t len)
{
	iks_reader r = rd_init(data, len, 0);
	while (rd_left(&r) > 0) {
		const uint8_t *start = rd_ptr(&r);
		size_t n = 0, skip = 0;
		uint8_t c = 0;
		while (rd_u8(&r, &c) && c != '\n')
			n++;
		while (skip < n && (start[skip] == ' ' || start[skip] == '\t' || start[skip] == '\r'))
			skip++;
		if (skip == n)
			continue;
		if (start[skip] == '#')
			continue;
		uint32_t tid;
		size_t off;
		return charon_line_prefix(start, n, &tid, &off);
	}
	return false;
}
