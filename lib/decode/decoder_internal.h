/* decoder_internal.h - helpers shared by the layer decoders (internal). */
#ifndef IKS_DECODER_INTERNAL_H
#define IKS_DECODER_INTERNAL_H

#include <ikescope/decoder.h>
#include <ikescope/packet.h>

/* Record a failure unless one is recorded already: the first failure in a
 * frame is the one that explains the rest. */
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
