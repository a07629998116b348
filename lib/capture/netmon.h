/*
 * netmon.h - Microsoft Network Monitor 1.x and 2.x capture files (internal).
 *
 * A NetMon file is a fixed header, the frame records, and a frame table
 * (one 32-bit file offset per frame) that usually sits at the end of the
 * file. The reader reads the header, then walks the table a chunk at a time
 * and seeks to each record: it never loads the whole file, but it needs a
 * seekable file (or a memory buffer). docs/netmon.md describes the layout.
 */
#ifndef IKS_NETMON_H
#define IKS_NETMON_H

#include <stdio.h>

#include <ikescope/capture.h>

/* Largest captured length accepted for one frame (larger is "absurd"). */
#define NETMON_MAX_CAPLEN 262144u
/* Bytes of the file header read and checked at open. */
#define NETMON_HEADER_MIN 32u

typedef struct netmon_header {
	int major, minor;     /* format version (1.x "RTSS", 2.x "GMBU") */
	uint16_t media;       /* file media type (1 Ethernet, 2 Token Ring, 3 FDDI, ...) */
	int64_t start_sec;    /* capture start (the header's SYSTEMTIME, taken as UTC) */
	uint32_t start_nsec;
	uint32_t table_off;   /* frame table: offset and length in bytes */
	uint32_t table_len;
} netmon_header;

typedef struct iks_netmon iks_netmon;

/* True when the first bytes are a NetMon magic ("GMBU" or "RTSS"). */
bool netmon_magic(const uint8_t *p, size_t len);

/*
 * Parse the first bytes of a file as a NetMon header (the fuzzer entry
 * point for the header). Returns IKS_OK, IKS_E_TRUNCATED (fewer than
 * NETMON_HEADER_MIN bytes), IKS_E_FORMAT (bad magic, unknown version,
 * impossible start date, frame table length not a multiple of 4) with
 * *reason set to a short static text.
 */
iks_status netmon_parse_header(const uint8_t *p, size_t len, netmon_header *h,
			       const char **reason);

/* The LINKTYPE_ value for a NetMon media type; media types with no
 * equivalent are returned as 0x10000 + media. */
int netmon_linktype(uint16_t media);

/*
 * Open a reader on a file already opened for reading (takes ownership of
 * `f`, closed by netmon_close, also on failure) or on a memory buffer
 * (`f` NULL; `mem` borrowed until netmon_close). `name` names the input in
 * messages. Returns NULL with a one-line message in errbuf
 * (IKS_ERRBUF_SIZE bytes) when the header or frame table cannot be used.
 */
iks_netmon *netmon_open(FILE *f, const uint8_t *mem, size_t memlen, const char *name,
			char *errbuf);

/* Next frame, as iks_capture_next: 1, 0 at the end, or a negative status
 * (IKS_E_TRUNCATED, IKS_E_FORMAT, IKS_E_IO, IKS_E_NOMEM) with the message in
 * netmon_error(). frame->data is valid until the next call. */
int netmon_next(iks_netmon *nm, iks_frame *frame);

/* The file's link type (from the header's media type). */
int netmon_file_linktype(const iks_netmon *nm);

/* Message for the last failure, naming the file and frame; "" if none. */
const char *netmon_error(const iks_netmon *nm);

/* Close and free; accepts NULL. */
void netmon_close(iks_netmon *nm);

#endif
