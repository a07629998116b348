/*
 * pcapfile.h - classic pcap files read without libpcap's per-record
 * fread (internal).
 *
 * libpcap reads a record with two fread calls through stdio, which cost
 * about as much as decoding the packet. This reader takes the common
 * case, a named file in the pcap format 2.4 (the four magics of
 * microsecond and nanosecond files in either byte order) of a link type
 * whose LINKTYPE_ and DLT_ values are the same, reads it in 128 KiB
 * chunks, and hands out frames that point into its buffer. It gives the
 * frames, timestamps, caplen adjustments and error texts libpcap 1.10
 * gives (sf-pcap.c); every other file is left to libpcap.
 */
#ifndef IKS_PCAPFILE_H
#define IKS_PCAPFILE_H

#include <stdio.h>

#include <ikescope/capture.h>

/* Bytes of the file header. */
#define PCAPFILE_HEADER_LEN 24u
/* libpcap's largest snapshot length for the link types taken. */
#define PCAPFILE_MAX_SNAPLEN 262144u

typedef struct iks_pcapfile iks_pcapfile;

/* True when p (the first len bytes of a file) is a pcap header this reader
 * takes (see above). */
bool pcapfile_takes(const uint8_t *p, size_t len);

/* Open a reader on f, whose first PCAPFILE_HEADER_LEN bytes were read into
 * `header` and accepted by pcapfile_takes(); f goes on from there (takes
 * ownership of f, closed by pcapfile_close, also on failure). `name` names
 * the input in messages. Returns NULL with a message in errbuf
 * (IKS_ERRBUF_SIZE bytes) when out of memory. */
iks_pcapfile *pcapfile_open(FILE *f, const uint8_t *header, const char *name, char *errbuf);

/* Next frame, as iks_capture_next: 1, 0 at the end, or IKS_E_TRUNCATED
 * (the file ends inside a record), IKS_E_IO (a read failed, or a record
 * longer than PCAPFILE_MAX_SNAPLEN) with the message in pcapfile_error().
 * frame->data is valid until the next call. */
int pcapfile_next(iks_pcapfile *pf, iks_frame *frame);

const char *pcapfile_error(const iks_pcapfile *pf);
int pcapfile_linktype(const iks_pcapfile *pf);
/* The snapshot length as libpcap adjusts it (0 or too large: the maximum). */
uint32_t pcapfile_snaplen(const iks_pcapfile *pf);
/* Accepts NULL. */
void pcapfile_close(iks_pcapfile *pf);

#endif
