/*
 * pcapng.c - pcapng files read block by block (draft-ietf-opsawg-pcapng).
 *
 * Every block (section 3.1):
 *   0 block type (u32), 4 block total length (u32, includes these 8 bytes
 *   and the trailing copy), body, then the total length again. Lengths are
 *   multiples of 4. All fields are in the byte order of the section, set by
 *   the byte-order magic 0x1A2B3C4D of its section header block.
 * Options (section 3.5): code (u16), length (u16), value padded to 4 bytes;
 *   code 0 (opt_endofopt) ends the list, which may also just end with the
 *   block. opt_comment is code 1 in every block.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapng.h"
#include "core/reader.h"

/* Block types (section 4 and 11.1) */
#define BT_SHB 0x0A0D0D0Au /* section header block */
#define BT_IDB 0x00000001u /* interface description block */
#define BT_PB  0x00000002u /* packet block (obsolete, appendix A) */
#define BT_SPB 0x00000003u /* simple packet block */
#define BT_EPB 0x00000006u /* enhanced packet block */
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du

/* Option codes (sections 3.5, 4.2, 4.3) */
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_TSOFFSET 14
#define EPB_FLAGS 2
#define EPB_DROPCOUNT 4
#define EPB_PACKETID 5
#define EPB_VERDICT 7

#define COMMENT_MAX 65536u  /* bytes of joined comments kept per frame */

typedef struct ng_iface {
	iks_capture_interface pub;
	char *name, *description;
	uint32_t section;
} ng_iface;

struct iks_pcapng {
	FILE *f;
	bool own;
	char *name;
	bool big;                /* the current section is big-endian */
	uint32_t section;        /* sections seen (the current one is section - 1) */
	uint32_t section_first;  /* index of the current section's first interface */
	ng_iface *ifs;
	size_t nifs, ifcap;
	uint64_t frames;         /* packet blocks returned */
	uint8_t *buf;            /* the current block (from its type on) */
	size_t bufcap;
	char *comment;           /* the current frame's joined comments */
	size_t comment_len, comment_cap;
	uint64_t comments_dropped; /* comments not kept: COMMENT_MAX reached in their frame */
	uint64_t frames_comments_cut; /* frames with at least one of them */
	bool comment_cut;        /* the current frame lost one */
	char err[IKS_ERRBUF_SIZE];
};

void pcapng_comment_stats(const iks_pcapng *ng, uint64_t *dropped, uint64_t *frames)
{
	*dropped = ng ? ng->comments_dropped : 0;
	*frames = ng ? ng->frames_comments_cut : 0;
}

bool pcapng_magic(const uint8_t *p, size_t len)
{
	return len >= 4 && p[0] == 0x0A && p[1] == 0x0D && p[2] == 0x0D && p[3] == 0x0A;
}

static int fail(iks_pcapng *ng, int st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(iks_pcapng *ng, int st, const char *fmt, ...)
{
	char msg[IKS_ERRBUF_SIZE - 128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* a long path keeps its end: the file's own name is what tells */
	size_t nl = strlen(ng->name);
	const char *name = nl > 100 ? ng->name + nl - 97 : ng->name;
	snprintf(ng->err, sizeof(ng->err), "%s%s: %s", nl > 100 ? "..." : "", name, msg);
	return st;
}

static bool rd_u32o(iks_reader *r, bool big, uint32_t *v)
{
	return big ? rd_be32(r, v) : rd_le32(r, v);
}

static bool rd_u16o(iks_reader *r, bool big, uint16_t *v)
{
	return big ? rd_be16(r, v) : rd_le16(r, v);
}

static bool rd_u64o(iks_reader *r, bool big, uint64_t *v)
{
	uint32_t a, b;
	if (rd_left(r) < 8 || !rd_u32o(r, big, &a) || !rd_u32o(r, big, &b))
		return false;
	*v = big ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

/* The block about to be read: "frame N" for packet blocks, otherwise
 * where it sits. */
static const char *block_name(uint32_t type)
{
	switch (type) {
	case BT_SHB: return "section header block";
	case BT_IDB: return "interface description block";
	case BT_PB: return "packet block";
	case BT_SPB: return "simple packet block";
	case BT_EPB: return "enhanced packet block";
	default: return "block";
	}
}

static bool is_packet(uint32_t type)
{
	return type == BT_EPB || type == BT_SPB || type == BT_PB;
}

static void where(const iks_pcapng *ng, uint32_t type, char *buf, size_t len)
{
	if (is_packet(type))
		snprintf(buf, len, "frame %llu (%s)", (unsigned long long)ng->frames + 1,
			 block_name(type));
	else
		snprintf(buf, len, "%s 0x%08x after frame %llu", block_name(type), type,
			 (unsigned long long)ng->frames);
}

static bool grow(uint8_t **p, size_t *cap, size_t need)
{
	if (*cap >= need)
		return true;
	size_t n = *cap ? *cap : 4096;
	while (n < need)
		n *= 2;
	uint8_t *q = realloc(*p, n);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static char *dup_text(iks_span v)
{
	size_t n = v.len;
	while (n > 0 && v.p[n - 1] == 0)
		n--; /* strings may be NUL-padded */
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = v.p[i] ? (char)v.p[i] : ' ';
	s[n] = '\0';
	return s;
}

/* Walk an option list. For each option, calls `each` with its code and
 * value; stops at opt_endofopt or the end of the reader. A length that
 * runs past the block is IKS_E_MALFORMED with *bad set to the code. */
typedef int (*opt_fn)(iks_pcapng *ng, void *ctx, uint16_t code, iks_span v);

static int walk_options(iks_pcapng *ng, iks_reader *r, opt_fn each, void *ctx,
			const char *at)
{
	while (rd_left(r) > 0) {
		uint16_t code, len;
		if (!rd_u16o(r, ng->big, &code) || !rd_u16o(r, ng->big, &len))
			return fail(ng, IKS_E_MALFORMED, "%s: %zu stray bytes where an option header "
				    "should be", at, rd_left(r) + 2);
		if (code == OPT_ENDOFOPT)
			return IKS_OK;
		iks_span v;
		if (!rd_span(r, len, &v))
			return fail(ng, IKS_E_MALFORMED, "%s: option %u says %u bytes but only %zu "
				    "are left in the block", at, code, len, rd_left(r));
		size_t pad = (4u - (len & 3u)) & 3u;
		if (!rd_skip(r, pad))
			return fail(ng, IKS_E_MALFORMED, "%s: option %u (%u bytes) lacks its padding "
				    "at the end of the block", at, code, len);
		int st = each(ng, ctx, code, v);
		if (st < 0)
			return st;
	}
	return IKS_OK;
}

/* ---------------------------------------------------------------- reading */

/* Read exactly n bytes; returns the count read (short at end of file). */
static size_t read_some(iks_pcapng *ng, void *dst, size_t n)
{
	return fread(dst, 1, n, ng->f);
}

/* Skip n bytes of a block we do not keep (no seek: pipes work too). */
static size_t skip_some(iks_pcapng *ng, uint64_t n)
{
	uint8_t scratch[4096];
	uint64_t done = 0;
	while (done < n) {
		size_t want = n - done < sizeof(scratch) ? (size_t)(n - done) : sizeof(scratch);
		size_t got = fread(scratch, 1, want, ng->f);
		done += got;
		if (got < want)
			break;
	}
	return (size_t)done;
}

/* Read the next block into ng->buf. Returns 1 with *type and *len set, 0 at
 * a clean end of file, <0 on failure. Blocks not in `keep` are read past:
 * *skipped is set and nothing is stored. */
static int read_block(iks_pcapng *ng, uint32_t *type, uint32_t *len, bool *skipped)
{
	uint8_t hdr[12];
	char at[96];
	*skipped = false;
	size_t got = read_some(ng, hdr, 8);
	if (got == 0) {
		if (ferror(ng->f))
			return fail(ng, IKS_E_IO, "read error after frame %llu",
				    (unsigned long long)ng->frames);
		return 0;
	}
	if (got < 8)
		return fail(ng, IKS_E_TRUNCATED, "the file ends inside a block header after frame "
			    "%llu (%zu of 8 bytes)", (unsigned long long)ng->frames, got);
	iks_reader r = rd_init(hdr, 8, 0);
	uint32_t t = 0, l = 0;
	if (pcapng_magic(hdr, 4)) {
		/* a new section: its byte order comes from the magic after the length */
		got = read_some(ng, hdr + 8, 4);
		if (got < 4)
			return fail(ng, IKS_E_TRUNCATED, "the file ends inside a section header "
				    "block after frame %llu", (unsigned long long)ng->frames);
		iks_reader m = rd_init(hdr + 8, 4, 8);
		uint32_t magic;
		rd_be32(&m, &magic);
		if (magic == BYTE_ORDER_MAGIC)
			ng->big = true;
		else if (magic == 0x4D3C2B1Au)
			ng->big = false;
		else
			return fail(ng, IKS_E_FORMAT, "section header block after frame %llu: byte-order "
				    "magic 0x%08x is neither 0x1a2b3c4d nor its swap",
				    (unsigned long long)ng->frames, magic);
	}
	rd_u32o(&r, ng->big, &t);
	rd_u32o(&r, ng->big, &l);
	*type = t;
	*len = l;
	where(ng, t, at, sizeof(at));
	if (l < 12 || l % 4 != 0 || (t == BT_SHB && l < 28))
		return fail(ng, IKS_E_MALFORMED, "%s: block length %u is impossible (%s)", at, l,
			    l % 4 ? "not a multiple of 4" : "shorter than the block's fixed part");
	bool keep = t == BT_SHB || t == BT_IDB || is_packet(t);
	if (!keep) {
		*skipped = true;
		size_t body = l - 12;
		if (skip_some(ng, body) < body)
			return fail(ng, IKS_E_TRUNCATED, "%s: the file ends inside the block "
				    "(%u bytes declared)", at, l);
		uint8_t tail[4];
		if (read_some(ng, tail, 4) < 4)
			return fail(ng, IKS_E_TRUNCATED, "%s: the file ends inside the block "
				    "(%u bytes declared)", at, l);
		iks_reader tr = rd_init(tail, 4, 0);
		uint32_t l2;
		rd_u32o(&tr, ng->big, &l2);
		if (l2 != l)
			return fail(ng, IKS_E_MALFORMED, "%s: trailing length %u differs from the "
				    "leading %u", at, l2, l);
		return 1;
	}
	if (l > PCAPNG_MAX_BLOCK)
		return fail(ng, IKS_E_LIMIT, "%s: block of %u bytes is over the %u-byte limit", at,
			    l, PCAPNG_MAX_BLOCK);
	if (!grow(&ng->buf, &ng->bufcap, l))
		return fail(ng, IKS_E_NOMEM, "%s: out of memory", at);
	size_t have = t == BT_SHB ? 12 : 8;
	memcpy(ng->buf, hdr, have);
	got = read_some(ng, ng->buf + have, l - have);
	if (got < l - have) {
		if (ferror(ng->f))
			return fail(ng, IKS_E_IO, "%s: read error", at);
		return fail(ng, IKS_E_TRUNCATED, "%s: the file ends inside the block (%u bytes "
			    "declared, %zu present)", at, l, have + got);
	}
	iks_reader tr = rd_init(ng->buf + l - 4, 4, l - 4);
	uint32_t l2;
	rd_u32o(&tr, ng->big, &l2);
	if (l2 != l)
		return fail(ng, IKS_E_MALFORMED, "%s: trailing length %u differs from the leading %u",
			    at, l2, l);
	return 1;
}

/* ---------------------------------------------------------------- blocks */

/* Section header block (section 4.1): magic, major, minor, section length. */
static int section_header(iks_pcapng *ng, iks_reader *body)
{
	uint32_t magic;
	uint16_t major, minor;
	uint64_t seclen;
	if (!rd_u32o(body, ng->big, &magic) || !rd_u16o(body, ng->big, &major) ||
	    !rd_u16o(body, ng->big, &minor) || !rd_u64o(body, ng->big, &seclen))
		return fail(ng, IKS_E_MALFORMED, "section header block after frame %llu: too short",
			    (unsigned long long)ng->frames);
	if (major != 1)
		return fail(ng, IKS_E_UNSUPPORTED, "section header block after frame %llu: "
			    "version %u.%u (only 1.x is read)", (unsigned long long)ng->frames,
			    major, minor);
	ng->section++;
	ng->section_first = (uint32_t)ng->nifs;
	return IKS_OK; /* shb options (hardware, os, application, comment) are not needed */
}

static int idb_option(iks_pcapng *ng, void *ctx, uint16_t code, iks_span v)
{
	ng_iface *i = ctx;
	iks_reader r = rd_init(v.p, v.len, 0);
	char **text = code == IF_NAME ? &i->name : code == IF_DESCRIPTION ? &i->description : NULL;
	if (text) {
		if (*text)
			return IKS_OK; /* the first one counts */
		*text = dup_text(v);
		return *text ? IKS_OK : fail(ng, IKS_E_NOMEM, "interface description: out of memory");
	}
	if (code == IF_TSRESOL) {
		uint8_t res;
		if (v.len != 1 || !rd_u8(&r, &res))
			return fail(ng, IKS_E_MALFORMED, "interface %zu: if_tsresol of %zu bytes "
				    "(expected 1)", ng->nifs, v.len);
		/* 10^-n up to n = 19 (fits 64 bits); 2^-n up to n = 63 */
		if ((!(res & 0x80) && res > 19) || ((res & 0x80) && (res & 0x7f) > 63))
			return fail(ng, IKS_E_UNSUPPORTED, "interface %zu: if_tsresol 0x%02x is finer "
				    "than a 64-bit timestamp can count", ng->nifs, res);
		i->pub.tsresol = res;
	} else if (code == IF_TSOFFSET) {
		uint64_t off;
		if (v.len != 8 || !rd_u64o(&r, ng->big, &off))
			return fail(ng, IKS_E_MALFORMED, "interface %zu: if_tsoffset of %zu bytes "
				    "(expected 8)", ng->nifs, v.len);
		i->pub.tsoffset = (int64_t)off;
	}
	return IKS_OK;
}

/* Interface description block (section 4.2): link type, reserved, snaplen. */
static int interface_description(iks_pcapng *ng, iks_reader *body)
{
	uint16_t linktype, reserved;
	uint32_t snaplen;
	if (ng->section == 0)
		return fail(ng, IKS_E_MALFORMED, "interface description block before any section "
			    "header");
	if (!rd_u16o(body, ng->big, &linktype) || !rd_u16o(body, ng->big, &reserved) ||
	    !rd_u32o(body, ng->big, &snaplen))
		return fail(ng, IKS_E_MALFORMED, "interface description block %zu: too short",
			    ng->nifs);
	if (ng->nifs >= PCAPNG_MAX_INTERFACES)
		return fail(ng, IKS_E_LIMIT, "more than %u interface description blocks",
			    PCAPNG_MAX_INTERFACES);
	if (ng->nifs == ng->ifcap) {
		size_t n = ng->ifcap ? ng->ifcap * 2 : 8;
		ng_iface *p = realloc(ng->ifs, n * sizeof(*p));
		if (!p)
			return fail(ng, IKS_E_NOMEM, "out of memory");
		ng->ifs = p;
		ng->ifcap = n;
	}
	ng_iface *i = &ng->ifs[ng->nifs];
	memset(i, 0, sizeof(*i));
	i->pub.section = ng->section - 1;
	i->pub.linktype = linktype;
	i->pub.snaplen = snaplen;
	i->pub.tsresol = 6;
	char at[96];
	snprintf(at, sizeof(at), "interface description block %zu", ng->nifs);
	int st = walk_options(ng, body, idb_option, i, at);
	i->pub.name = i->name;
	i->pub.description = i->description;
	ng->nifs++; /* kept even when its options were bad: its strings are freed at close */
	return st;
}

/* Timestamp units of an interface to seconds and nanoseconds. */
static bool convert_ts(const ng_iface *i, uint64_t ts, int64_t *sec, uint32_t *nsec)
{
	uint8_t res = i->pub.tsresol;
	uint64_t s, ns;
	if (res & 0x80) {
		unsigned n = res & 0x7fu;
		s = n ? ts >> n : ts;
		uint64_t frac = n ? ts & ((UINT64_C(1) << n) - 1) : 0;
		if (n > 34) { /* keep frac * 1e9 within 64 bits */
			frac >>= n - 34;
			n = 34;
		}
		ns = n ? (frac * UINT64_C(1000000000)) >> n : 0;
	} else {
		uint64_t div = 1;
		for (unsigned k = 0; k < res; k++)
			div *= 10;
		s = ts / div;
		uint64_t frac = ts % div;
		if (res <= 9) {
			uint64_t mul = 1;
			for (unsigned k = res; k < 9; k++)
				mul *= 10;
			ns = frac * mul;
		} else {
			uint64_t d = 1;
			for (unsigned k = 9; k < res; k++)
				d *= 10;
			ns = frac / d;
		}
	}
	if (s > (uint64_t)INT64_MAX)
		return false;
	int64_t v = (int64_t)s;
	if ((i->pub.tsoffset > 0 && v > INT64_MAX - i->pub.tsoffset))
		return false;
	*sec = v + i->pub.tsoffset;
	*nsec = (uint32_t)ns;
	return true;
}

static bool add_comment(iks_pcapng *ng, iks_span v)
{
	size_t n = v.len;
	while (n > 0 && v.p[n - 1] == 0)
		n--;
	size_t sep = ng->comment_len ? 2 : 0;
	if (ng->comment_len + sep + n + 1 > COMMENT_MAX) {
		/* over the cap: later comments are dropped (counted) */
		ng->comments_dropped++;
		if (!ng->comment_cut)
			ng->frames_comments_cut++;
		ng->comment_cut = true;
		return true;
	}
	uint8_t *p = (uint8_t *)ng->comment;
	if (!grow(&p, &ng->comment_cap, ng->comment_len + sep + n + 1))
		return false;
	ng->comment = (char *)p;
	if (sep) {
		ng->comment[ng->comment_len++] = ';';
		ng->comment[ng->comment_len++] = ' ';
	}
	for (size_t k = 0; k < n; k++)
		ng->comment[ng->comment_len++] = v.p[k] ? (char)v.p[k] : ' ';
	ng->comment[ng->comment_len] = '\0';
	return true;
}

typedef struct epb_ctx {
	iks_frame *frame;
	const char *at;
} epb_ctx;

static int epb_option(iks_pcapng *ng, void *ctx, uint16_t code, iks_span v)
{
	epb_ctx *c = ctx;
	iks_frame_meta *m = &c->frame->meta;
	iks_reader r = rd_init(v.p, v.len, 0);
	switch (code) {
	case OPT_COMMENT:
		if (!add_comment(ng, v))
			return fail(ng, IKS_E_NOMEM, "%s: out of memory", c->at);
		break;
	case EPB_FLAGS:
		if (v.len != 4 || !rd_u32o(&r, ng->big, &m->flags))
			return fail(ng, IKS_E_MALFORMED, "%s: epb_flags of %zu bytes (expected 4)",
				    c->at, v.len);
		m->direction = (m->flags & 3u) == 1u ? IKS_CAPDIR_IN
			     : (m->flags & 3u) == 2u ? IKS_CAPDIR_OUT : IKS_CAPDIR_UNKNOWN;
		break;
	case EPB_DROPCOUNT:
		if (v.len != 8 || !rd_u64o(&r, ng->big, &m->dropcount))
			return fail(ng, IKS_E_MALFORMED, "%s: epb_dropcount of %zu bytes (expected 8)",
				    c->at, v.len);
		m->has_dropcount = true;
		break;
	case EPB_PACKETID:
		if (v.len != 8 || !rd_u64o(&r, ng->big, &m->packet_id))
			return fail(ng, IKS_E_MALFORMED, "%s: epb_packetid of %zu bytes (expected 8)",
				    c->at, v.len);
		m->has_packet_id = true;
		break;
	case EPB_VERDICT: {
		if (m->has_verdict)
			break; /* the first verdict counts */
		if (!rd_u8(&r, &m->verdict_type))
			return fail(ng, IKS_E_MALFORMED, "%s: empty epb_verdict", c->at);
		uint64_t val = 0;
		if (rd_left(&r) == 8) {
			rd_u64o(&r, ng->big, &val);
		} else {
			uint8_t b;
			for (unsigned k = 0; k < 8 && rd_u8(&r, &b); k++)
				val = val << 8 | b;
		}
		m->verdict = val;
		m->has_verdict = true;
		break;
	}
	default:
		break; /* epb_hash, epb_queue, custom options: not needed */
	}
	return IKS_OK;
}

/* Enhanced (section 4.3), simple (4.4) and obsolete (appendix A) packet
 * blocks into *frame. */
static int packet_block(iks_pcapng *ng, uint32_t type, iks_reader *body, iks_frame *frame)
{
	char at[96];
	where(ng, type, at, sizeof(at));
	uint32_t ifid = 0, hi = 0, lo = 0, caplen, origlen;
	uint16_t drops = 0xffff;
	bool ok;
	if (type == BT_EPB) {
		ok = rd_u32o(body, ng->big, &ifid) && rd_u32o(body, ng->big, &hi) &&
		     rd_u32o(body, ng->big, &lo) && rd_u32o(body, ng->big, &caplen) &&
		     rd_u32o(body, ng->big, &origlen);
	} else if (type == BT_PB) {
		uint16_t id16;
		ok = rd_u16o(body, ng->big, &id16) && rd_u16o(body, ng->big, &drops) &&
		     rd_u32o(body, ng->big, &hi) && rd_u32o(body, ng->big, &lo) &&
		     rd_u32o(body, ng->big, &caplen) && rd_u32o(body, ng->big, &origlen);
		ifid = id16;
	} else {
		ok = rd_u32o(body, ng->big, &origlen);
		caplen = origlen;
	}
	if (!ok)
		return fail(ng, IKS_E_MALFORMED, "%s: block too short for its fixed fields", at);
	size_t nsec_ifs = ng->nifs - ng->section_first;
	if (ng->section == 0 || ifid >= nsec_ifs)
		return fail(ng, IKS_E_MALFORMED, "%s: interface %u is not described (%zu interface "
			    "description blocks in this section)", at, ifid, nsec_ifs);
	const ng_iface *i = &ng->ifs[ng->section_first + ifid];
	if (type == BT_SPB) {
		/* the captured length is what the block holds, at most the snaplen */
		if (i->pub.snaplen && caplen > i->pub.snaplen)
			caplen = i->pub.snaplen;
		if (caplen > rd_left(body))
			caplen = (uint32_t)rd_left(body);
	}
	iks_span data;
	if (!rd_span(body, caplen, &data))
		return fail(ng, IKS_E_MALFORMED, "%s: captured length %u runs past the block "
			    "(%zu bytes left)", at, caplen, rd_left(body));
	size_t pad = (4u - (caplen & 3u)) & 3u;
	if (!rd_skip(body, pad))
		(void)rd_rest(body); /* a missing pad at the very end: nothing follows */
	memset(frame, 0, sizeof(*frame));
	ng->comment_len = 0;
	ng->comment_cut = false;
	if (ng->comment)
		ng->comment[0] = '\0';
	frame->meta.present = true;
	frame->meta.interface = ng->section_first + ifid;
	frame->meta.if_name = i->name;
	frame->meta.if_description = i->description;
	if (type == BT_PB && drops != 0xffff) {
		frame->meta.has_dropcount = true;
		frame->meta.dropcount = drops;
	}
	if (type != BT_SPB) {
		uint64_t ts = (uint64_t)hi << 32 | lo;
		if (!convert_ts(i, ts, &frame->ts_sec, &frame->ts_nsec))
			return fail(ng, IKS_E_MALFORMED, "%s: timestamp out of range", at);
		epb_ctx c = { frame, at };
		int st = walk_options(ng, body, epb_option, &c, at);
		if (st < 0)
			return st;
	}
	frame->meta.comment = ng->comment_len ? ng->comment : NULL;
	frame->number = ng->frames + 1;
	frame->linktype = i->pub.linktype;
	frame->caplen = caplen;
	frame->wirelen = origlen < caplen ? caplen : origlen;
	frame->data = data.p;
	return 1;
}

/* Next block that is a packet (1), end (0) or failure (<0). */
static int next_block(iks_pcapng *ng, iks_frame *frame, bool stop_at_idb, bool *saw_idb)
{
	for (;;) {
		uint32_t type = 0, len = 0;
		bool skipped;
		int rc = read_block(ng, &type, &len, &skipped);
		if (rc <= 0)
			return rc;
		if (skipped)
			continue;
		iks_reader body = rd_init(ng->buf + 8, len - 12, 8);
		if (type == BT_SHB) {
			int st = section_header(ng, &body);
			if (st < 0)
				return st;
		} else if (type == BT_IDB) {
			int st = interface_description(ng, &body);
			if (st < 0)
				return st;
			if (stop_at_idb) {
				*saw_idb = true;
				return 0;
			}
		} else {
			if (stop_at_idb)
				return fail(ng, IKS_E_MALFORMED, "frame 1 (%s) comes before any "
					    "interface description block", block_name(type));
			int st = packet_block(ng, type, &body, frame);
			ng->frames++; /* a bad packet block still takes its frame number */
			return st;
		}
	}
}

iks_pcapng *pcapng_open(FILE *f, bool own, const char *name, char *errbuf)
{
	iks_pcapng *ng = calloc(1, sizeof(*ng));
	if (ng)
		ng->name = strdup(name);
	if (!ng || !ng->name) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", name);
		if (own && f)
			fclose(f);
		free(ng);
		return NULL;
	}
	ng->f = f;
	ng->own = own;
	uint8_t magic[4];
	int c;
	size_t n = 0;
	/* the first block must be a section header: peek at its type */
	while (n < 4 && (c = getc(f)) != EOF)
		magic[n++] = (uint8_t)c;
	if (!pcapng_magic(magic, n)) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: not a pcapng file", name);
		pcapng_close(ng);
		return NULL;
	}
	/* read_block() wants the type again: push it back through a tiny
	 * re-read (ungetc guarantees only one byte, so parse the SHB here) */
	uint8_t rest[8];
	if (fread(rest, 1, 8, f) < 8) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: the file ends inside the first section "
			 "header block", name);
		pcapng_close(ng);
		return NULL;
	}
	iks_reader m = rd_init(rest + 4, 4, 8);
	uint32_t bom;
	rd_be32(&m, &bom);
	if (bom != BYTE_ORDER_MAGIC && bom != 0x4D3C2B1Au) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: section header block: byte-order magic "
			 "0x%08x is neither 0x1a2b3c4d nor its swap", name, bom);
		pcapng_close(ng);
		return NULL;
	}
	ng->big = bom == BYTE_ORDER_MAGIC;
	iks_reader lr = rd_init(rest, 4, 4);
	uint32_t len;
	rd_u32o(&lr, ng->big, &len);
	int st = IKS_OK;
	if (len < 28 || len % 4 != 0)
		st = fail(ng, IKS_E_MALFORMED, "section header block: block length %u is impossible",
			  len);
	else if (len > PCAPNG_MAX_BLOCK)
		st = fail(ng, IKS_E_LIMIT, "section header block of %u bytes is over the %u-byte "
			  "limit", len, PCAPNG_MAX_BLOCK);
	else if (!grow(&ng->buf, &ng->bufcap, len))
		st = fail(ng, IKS_E_NOMEM, "out of memory");
	else {
		memcpy(ng->buf, magic, 4);
		memcpy(ng->buf + 4, rest, 8);
		size_t got = fread(ng->buf + 12, 1, len - 12, f);
		if (got < len - 12)
			st = fail(ng, IKS_E_TRUNCATED, "the file ends inside the first section header "
				  "block (%u bytes declared, %zu present)", len, got + 12);
		else {
			iks_reader tr = rd_init(ng->buf + len - 4, 4, len - 4);
			uint32_t l2;
			rd_u32o(&tr, ng->big, &l2);
			iks_reader body = rd_init(ng->buf + 8, len - 12, 8);
			if (l2 != len)
				st = fail(ng, IKS_E_MALFORMED, "section header block: trailing length %u "
					  "differs from the leading %u", l2, len);
			else
				st = section_header(ng, &body);
		}
	}
	if (st >= 0) {
		iks_frame scratch;
		bool saw = false;
		st = next_block(ng, &scratch, true, &saw);
		/* a file with no interface at all has no frames: that is fine */
	}
	if (st < 0) {
		snprintf(errbuf, IKS_ERRBUF_SIZE, "%s", ng->err);
		pcapng_close(ng);
		return NULL;
	}
	return ng;
}

int pcapng_next(iks_pcapng *ng, iks_frame *frame)
{
	return next_block(ng, frame, false, NULL);
}

int pcapng_file_linktype(const iks_pcapng *ng)
{
	return ng->nifs ? ng->ifs[0].pub.linktype : IKS_LINK_ETHERNET;
}

uint32_t pcapng_file_snaplen(const iks_pcapng *ng)
{
	return ng->nifs && ng->ifs[0].pub.snaplen ? ng->ifs[0].pub.snaplen : 262144u;
}

size_t pcapng_interface_count(const iks_pcapng *ng)
{
	return ng ? ng->nifs : 0;
}

bool pcapng_interface(const iks_pcapng *ng, size_t i, iks_capture_interface *out)
{
	if (!ng || i >= ng->nifs)
		return false;
	*out = ng->ifs[i].pub;
	return true;
}

const char *pcapng_error(const iks_pcapng *ng)
{
	return ng ? ng->err : "";
}

void pcapng_close(iks_pcapng *ng)
{
	if (!ng)
		return;
	if (ng->own && ng->f)
		fclose(ng->f);
	for (size_t i = 0; i < ng->nifs; i++) {
		free(ng->ifs[i].name);
		free(ng->ifs[i].description);
	}
	free(ng->ifs);
	free(ng->buf);
	free(ng->comment);
	free(ng->name);
	free(ng);
}
