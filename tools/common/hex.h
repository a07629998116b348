/* hex.h - lowercase hex text of SPIs, cookies and message IDs, shared by
 * the tools' text, JSON and HTML writers. */
#ifndef IKSTOOL_HEX_H
#define IKSTOOL_HEX_H

#include <stdint.h>

/* The 16 hex digits of the 8 bytes at p (an IKE SPI or cookie), in
 * order, NUL-terminated: out holds 17 bytes. */
static inline void hex8(char *out, const uint8_t *p)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[16] = '\0';
}

/* The 8 hex digits of v (an ESP/AH SPI or a message ID), most significant
 * first, NUL-terminated: out holds 9 bytes. */
static inline void hex_u32(char *out, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 7; i >= 0; i--) {
		out[i] = digits[v & 15];
		v >>= 4;
	}
	out[8] = '\0';
}

#endif
