/*
 * pcapng.h - the pcapng block reader (internal).
 *
 * Reads pcapng (draft-ietf-opsawg-pcapng) as a stream of blocks, from a
 * file, a pipe or memory, without libpcap: section header blocks in either
 * byte order, interface description blocks (link type, snaplen, if_name,
 * if_description, if_tsresol in powers of 10 and of 2, if_tsoffset),
 * enhanced, simple and (obsolete) packet blocks with their options
 * (epb_flags, epb_packetid, epb_verdict, epb_dropcount, opt_comment).
 * Other blocks are skipped. Every byte of a block goes through
 * core/reader.h once the block is in memory; a block is held whole (up to
 * PCAPNG_MAX_BLOCK bytes), skipped blocks are read past in chunks.
 */
#ifndef IKS_PCAPNG_H
#define IKS_PCAPNG_H

#include <stdio.h>

#include <ikescope/capture.h>

/* Largest block held in memory (packet, interface and section blocks);
 * larger is reported as IKS_E_LIMIT. Skipped blocks have no limit. */
#define PCAPNG_MAX_BLOCK (16u * 1024u * 1024u)
/* Interface description blocks kept per file (over all sections). */
#define PCAPNG_MAX_INTERFACES 4096u

typedef struct iks_pcapng iks_pcapng;

/* True when the first bytes are a pcapng section header block type. */
bool pcapng_magic(const uint8_t *p, size_t len);
/* Comments not kept because their frame's joined comments reached
 * COMMENT_MAX, and the frames that lost any (0, 0 for NULL). */
void pcapng_comment_stats(const iks_pcapng *ng, uint64_t *dropped, uint64_t *frames);

/*
 * Open a reader on `f` (owned when `own` is true: closed by pcapng_close,
 * also on failure). Reads the section header and the blocks up to the
 * first interface description (none may be a packet block). `name` names
 * the input in messages. Returns NULL with a one-line message in errbuf
 * (IKS_ERRBUF_SIZE bytes).
 */
iks_pcapng *pcapng_open(FILE *f, bool own, const char *name, char *errbuf);

/* Next packet, as iks_capture_next: 1, 0 at the end, or a negative status
 * with the message (naming the file and the frame) in pcapng_error():
 * IKS_E_TRUNCATED (the file ends inside a block), IKS_E_MALFORMED (a block
 * or option length that lies, a packet on an undescribed interface, ...),
 * IKS_E_UNSUPPORTED (section version, time resolution), IKS_E_LIMIT,
 * IKS_E_NOMEM, IKS_E_IO. After IKS_E_MALFORMED inside a block whose length
 * was consistent, the next call goes on with the next block. frame->data
 * and frame->meta.comment are valid until the next call. */
int pcapng_next(iks_pcapng *ng, iks_frame *frame);

/* Link type and snaplen of the first interface. */
int pcapng_file_linktype(const iks_pcapng *ng);
uint32_t pcapng_file_snaplen(const iks_pcapng *ng);

size_t pcapng_interface_count(const iks_pcapng *ng);
bool pcapng_interface(const iks_pcapng *ng, size_t i, iks_capture_interface *out);

/* Message for the last failure; "" if none. */
const char *pcapng_error(const iks_pcapng *ng);

/* Close and free; accepts NULL. */
void pcapng_close(iks_pcapng *ng);

#endif
