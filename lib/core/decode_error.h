/*
 * decode_error.h - the first failure of a frame (internal), shared by the
 * layer decoders in net/, ipsec/, ike/ and decode/.
 */
#ifndef IKS_DECODE_ERROR_H
#define IKS_DECODE_ERROR_H

#include <ikescope/packet.h>

/* Record a failure unless one is recorded already: the first failure in a
 * frame is the one that explains the rest. layer and reason are static
 * text; err may be NULL. Not thread-safe on one err (it is per frame). */
static inline void set_error(iks_decode_error *err, iks_status st, const char *layer,
			     const char *reason, size_t offset, bool in_datagram)
{
	if (!err || err->status != IKS_OK)
		return;
	err->status = st;
	err->layer = layer;
	err->reason = reason;
	err->offset = (uint32_t)offset;
	err->in_datagram = in_datagram;
}

#endif
