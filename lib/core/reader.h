/*
 * reader.h - the one bounds-checked reader for input bytes (internal).
 *
 * Every byte the library reads from a frame, a datagram or a file goes
 * through these functions. They compare lengths (`left < need`), never
 * pointers plus lengths, and return false instead of reading past the end;
 * on failure the reader is left unchanged.
 *
 * `origin` is the offset of base[0] within the frame (or reassembled
 * datagram) so that errors can name absolute offsets.
 */
#ifndef IKS_READER_H
#define IKS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/common.h>

typedef struct iks_reader {
	const uint8_t *base;
	size_t len;
	size_t pos;
	size_t origin;
} iks_reader;

static inline iks_reader rd_init(const uint8_t *p, size_t len, size_t origin)
{
	iks_reader r = { p, len, 0, origin };
	return r;
}

static inline size_t rd_left(const iks_reader *r) { return r->len - r->pos; }
static inline size_t rd_offset(const iks_reader *r) { return r->origin + r->pos; }
static inline const uint8_t *rd_ptr(const iks_reader *r) { return r->base + r->pos; }

static inline bool rd_skip(iks_reader *r, size_t n)
{
	if (rd_left(r) < n)
		return false;
	r->pos += n;
	return true;
}

static inline bool rd_u8(iks_reader *r, uint8_t *v)
{
	if (rd_left(r) < 1)
		return false;
	*v = r->base[r->pos];
	r->pos += 1;
	return true;
}

static inline bool rd_be16(iks_reader *r, uint16_t *v)
{
	if (rd_left(r) < 2)
		return false;
	const uint8_t *p = r->base + r->pos;
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	r->pos += 2;
	return true;
}

static inline bool rd_be32(iks_reader *r, uint32_t *v)
{
	if (rd_left(r) < 4)
		return false;
	const uint8_t *p = r->base + r->pos;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	r->pos += 4;
	return true;
}

static inline bool rd_le16(iks_reader *r, uint16_t *v)
{
	if (rd_left(r) < 2)
		return false;
	const uint8_t *p = r->base + r->pos;
	*v = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	r->pos += 2;
	return true;
}

static inline bool rd_le32(iks_reader *r, uint32_t *v)
{
	if (rd_left(r) < 4)
		return false;
	const uint8_t *p = r->base + r->pos;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	r->pos += 4;
	return true;
}

/* Copy n bytes out. */
static inline bool rd_copy(iks_reader *r, void *dst, size_t n)
{
	if (rd_left(r) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = r->base[r->pos + i];
	r->pos += n;
	return true;
}

/* Borrow n bytes as a span. */
static inline bool rd_span(iks_reader *r, size_t n, iks_span *out)
{
	if (rd_left(r) < n)
		return false;
	out->p = r->base + r->pos;
	out->len = n;
	r->pos += n;
	return true;
}

/* Split off the next n bytes as a reader of their own. */
static inline bool rd_sub(iks_reader *r, size_t n, iks_reader *sub)
{
	if (rd_left(r) < n)
		return false;
	*sub = rd_init(r->base + r->pos, n, r->origin + r->pos);
	r->pos += n;
	return true;
}

/* The rest as a reader of its own (possibly empty); consumes it. */
static inline iks_reader rd_rest(iks_reader *r)
{
	iks_reader sub = rd_init(r->base + r->pos, rd_left(r), r->origin + r->pos);
	r->pos = r->len;
	return sub;
}

/* Limit the reader to its next n bytes (or fewer if fewer remain); returns
 * true when all n were available. */
static inline bool rd_limit(iks_reader *r, size_t n)
{
	if (rd_left(r) < n)
		return false;
	r->len = r->pos + n;
	return true;
}

/* Read from the end: take the last n bytes off the reader as a span (for
 * ESP/AH trailers). */
static inline bool rd_take_tail(iks_reader *r, size_t n, iks_span *out)
{
	if (rd_left(r) < n)
		return false;
	r->len -= n;
	out->p = r->base + r->len;
	out->len = n;
	return true;
}

/* The next text line (without its '\n'; a last line may lack one) as a
 * span; false when nothing is left. */
static inline bool rd_line(iks_reader *r, iks_span *line)
{
	if (rd_left(r) == 0)
		return false;
	line->p = rd_ptr(r);
	line->len = 0;
	uint8_t c = 0;
	while (rd_u8(r, &c) && c != '\n')
		line->len++;
	return true;
}

/* Peek without consuming. */
static inline bool rd_peek_u8(const iks_reader *r, size_t at, uint8_t *v)
{
	if (rd_left(r) <= at)
		return false;
	*v = r->base[r->pos + at];
	return true;
}

#endif
