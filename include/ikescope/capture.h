/*
 * ikescope/capture.h - reading frames from capture files through libpcap.
 *
 * Reads classic pcap (microsecond or nanosecond) through libpcap, pcapng
 * through its own block reader (lib/capture/pcapng.c: every interface with
 * its own link type and time resolution, and the per-frame options
 * epb_flags, epb_packetid, epb_verdict, epb_dropcount and comments, in
 * iks_frame.meta), and Microsoft Network Monitor 1.x and
 * 2.x .cap files (detected by content; their media types are mapped to
 * LINKTYPE_ values, and those with none are passed as 0x10000 + the NetMon
 * media type). NetMon files keep their frame table at the end, so they must
 * be seekable: not a pipe. One handle per file; handles are
 * independent, so any number may be open at once.
 */
#ifndef IKESCOPE_CAPTURE_H
#define IKESCOPE_CAPTURE_H

#include <ikescope/common.h>
#include <ikescope/packet.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Link-layer header types (LINKTYPE_* values from the tcpdump.org registry,
 * as libpcap reports them through pcap_datalink()). */
enum iks_linktype {
	IKS_LINK_NULL = 0,        /* BSD loopback, host-order AF_ family */
	IKS_LINK_ETHERNET = 1,    /* Ethernet II, optionally 802.1Q / QinQ tagged */
	IKS_LINK_RAW_DLT = 12,    /* raw IP (DLT_RAW as libpcap reports it on most systems) */
	IKS_LINK_RAW_OPENBSD = 14,/* raw IP (DLT_RAW on OpenBSD) */
	IKS_LINK_RAW = 101,       /* raw IPv4 or IPv6 (LINKTYPE_RAW) */
	IKS_LINK_LOOP = 108,      /* OpenBSD loopback, network-order AF_ family */
	IKS_LINK_LINUX_SLL = 113, /* Linux cooked capture v1 */
	IKS_LINK_IPV4 = 228,      /* raw IPv4 */
	IKS_LINK_IPV6 = 229,      /* raw IPv6 */
	IKS_LINK_LINUX_SLL2 = 276 /* Linux cooked capture v2 */
};

/* One captured frame. `data` is borrowed from the capture handle and valid
 * until the next call to iks_capture_next() or iks_capture_close(). */
typedef struct iks_frame {
	uint64_t number;   /* 1-based position in the file */
	int64_t ts_sec;    /* capture time, seconds since the epoch */
	uint32_t ts_nsec;  /* nanoseconds within the second */
	int linktype;      /* an iks_linktype value (others are passed through) */
	uint32_t caplen;   /* bytes present in data */
	uint32_t wirelen;  /* bytes the frame had on the wire (>= caplen) */
	const uint8_t *data;
	iks_frame_meta meta; /* pcapng only (see ikescope/packet.h); zero otherwise */
} iks_frame;

typedef struct iks_capture iks_capture;

/*
 * Open a capture file. `path` "-" reads standard input. `bpf_filter` is an
 * optional libpcap filter expression (NULL or "" for none); frames it
 * rejects are skipped but still counted, so frame numbers always match the
 * file. Returns a new handle, or NULL with a one-line message naming the
 * file in errbuf (IKS_ERRBUF_SIZE bytes). Close with iks_capture_close().
 */
IKS_API iks_capture *iks_capture_open(const char *path, const char *bpf_filter,
				      char *errbuf);

/*
 * Open a capture held in memory (pcap, pcapng or NetMon; the bytes are
 * copied, so `data` may be freed after the call). `name` names it in
 * messages (NULL: "(buffer)"). Otherwise as iks_capture_open; this is the
 * entry point for fuzzers.
 */
IKS_API iks_capture *iks_capture_open_buffer(const uint8_t *data, size_t len, const char *name,
					     const char *bpf_filter, char *errbuf);

/*
 * Read the next frame. Returns 1 with *frame filled, 0 at the end of the
 * file, or a negative iks_status (IKS_E_IO for a read failure, IKS_E_TRUNCATED
 * for a file cut in the middle of a record or, for NetMon, a record or frame
 * table entry past the end of the file, IKS_E_FORMAT for an absurd NetMon
 * record) with iks_capture_error() set.
 */
IKS_API int iks_capture_next(iks_capture *cap, iks_frame *frame);

/* The link type of the file (an iks_linktype value). */
IKS_API int iks_capture_linktype(const iks_capture *cap);

/* The file's snapshot length (largest caplen it may hold). */
IKS_API uint32_t iks_capture_snaplen(const iks_capture *cap);

/* One interface description of a pcapng file (draft-ietf-opsawg-pcapng
 * section 4.2). Strings are NULL when absent and owned by the handle. */
typedef struct iks_capture_interface {
	uint32_t section;        /* 0-based section (section header block) it belongs to */
	int linktype;
	uint32_t snaplen;        /* 0: no limit */
	const char *name;        /* if_name */
	const char *description; /* if_description */
	uint8_t tsresol;         /* if_tsresol as written (default 6: microseconds) */
	int64_t tsoffset;        /* if_tsoffset, seconds */
} iks_capture_interface;

/* Interfaces described so far (pcapng; 0 for other formats: all frames of
 * those are on one implicit interface). Blocks are read as frames are, so
 * the count may grow while reading. */
IKS_API size_t iks_capture_interface_count(const iks_capture *cap);

/* Interface `index` (the value of iks_frame.meta.interface). Returns IKS_OK
 * with *out filled, or IKS_E_INVALID for an index not described (yet). */
IKS_API iks_status iks_capture_interface_get(const iks_capture *cap, size_t index,
					     iks_capture_interface *out);

/*
 * Merge the copies of one packet into one frame (off by default). A
 * Windows capture converted by pktmon etl2pcap or etl2pcapng holds a packet
 * once per driver component it passed, each component its own interface
 * and all copies sharing epb_packetid. With merging on, frames sharing a
 * packet id within IKS_COPIES_WINDOW_NS of the first are returned once:
 * the copy nearest the wire (the first for a received or undirected
 * packet, the last for a sent one), with meta.ncopies, the interfaces of
 * all copies, and the first epb_verdict any copy carried (with the
 * interface it came from). Frames without a packet id pass through alone
 * (ncopies 1). Up to IKS_COPIES_PENDING packets are held back, so frames
 * come out in the order of their first copy; frame numbers are those of
 * the copies returned. Call before the first iks_capture_next(). Returns
 * IKS_OK, IKS_E_NOMEM, or IKS_E_INVALID (NULL, or frames already read).
 */
#define IKS_COPIES_WINDOW_NS 100000000 /* 100 ms */
#define IKS_COPIES_PENDING 256
IKS_API iks_status iks_capture_merge_copies(iks_capture *cap, bool on);

/* What merging copies could not do (all 0 with merging off), and pcapng
 * comments not kept. */
typedef struct iks_capture_stats {
	uint64_t copies_released_early; /* packets returned before their copy window ended
					   because IKS_COPIES_PENDING packets were waiting */
	uint64_t copies_split;          /* later copies of those packets (within the window),
					   each returned as a frame of its own */
	uint64_t comments_dropped;      /* pcapng: comments (opt_comment) not kept because
					   their frame's joined comments reached 64 KiB */
	uint64_t frames_comments_cut;   /* pcapng: frames that lost any of them */
} iks_capture_stats;

/* Copy the counters so far into *st (zeros for a NULL cap). Same thread
 * rules as the handle. */
IKS_API void iks_capture_get_stats(const iks_capture *cap, iks_capture_stats *st);

/* Message for the last failure on this handle, naming the file; "" if none.
 * Owned by the handle. */
IKS_API const char *iks_capture_error(const iks_capture *cap);

/* Close the handle and free everything it owns. Accepts NULL. */
IKS_API void iks_capture_close(iks_capture *cap);

typedef struct iks_capture_writer iks_capture_writer;

/*
 * Create (or truncate) a pcap file for frames of `linktype` (classic pcap,
 * nanosecond timestamps, snapshot length 262144). Returns a new handle, or
 * NULL with libpcap's reason (which may name the file) or "out of memory"
 * in errbuf (IKS_ERRBUF_SIZE bytes). Close with iks_capture_writer_close().
 * One handle per thread.
 */
IKS_API iks_capture_writer *iks_capture_writer_open(const char *path, int linktype,
						    char *errbuf);

/* The link type the file was created with; -1 for NULL. */
IKS_API int iks_capture_writer_linktype(const iks_capture_writer *w);

/* Append a frame (its time, caplen, wirelen and data; the number and link
 * type are not written). Returns IKS_OK or IKS_E_INVALID. Write errors
 * show at close (libpcap buffers). */
IKS_API iks_status iks_capture_write(iks_capture_writer *w, const iks_frame *frame);

/* Flush and close the file and free the handle. Accepts NULL. */
IKS_API void iks_capture_writer_close(iks_capture_writer *w);

/*
 * pcapng output (draft-ietf-opsawg-pcapng): one little-endian section with
 * an optional comment, interfaces added before or between frames (each
 * with its link type, if_name, if_description, if_tsresol 10^-9), and
 * enhanced packet blocks with epb_flags and a comment. One handle per
 * thread.
 */
typedef struct iks_pcapng_writer iks_pcapng_writer;

/* Create (or truncate) `path` and write the section header with
 * `section_comment` (NULL: none). Returns NULL with the reason naming the
 * file in errbuf (IKS_ERRBUF_SIZE bytes). */
IKS_API iks_pcapng_writer *iks_pcapng_writer_open(const char *path, const char *section_comment,
						  char *errbuf);

/* Add an interface; *index gets its number for iks_pcapng_write(). name and
 * description may be NULL. Returns IKS_OK, IKS_E_INVALID or IKS_E_IO. */
IKS_API iks_status iks_pcapng_writer_add_interface(iks_pcapng_writer *w, int linktype,
						   const char *name, const char *description,
						   uint32_t *index);

/* Append a frame on interface `iface` (its time, caplen, wirelen and data)
 * with epb_flags `flags` (0: none; bits 0-1 direction, 1 in, 2 out) and
 * `comment` (NULL: none; longer than 65535 bytes is cut). Returns IKS_OK,
 * IKS_E_INVALID (unknown interface) or IKS_E_IO. */
IKS_API iks_status iks_pcapng_write(iks_pcapng_writer *w, uint32_t iface, const iks_frame *frame,
				    uint32_t flags, const char *comment);

/* Flush and close; returns IKS_OK or IKS_E_IO if any write failed (the
 * message in errbuf, IKS_ERRBUF_SIZE bytes, may be NULL). Accepts NULL. */
IKS_API iks_status iks_pcapng_writer_close(iks_pcapng_writer *w, char *errbuf);

#ifdef __cplusplus
}
#endif
#endif
