/*
 * capture.c - capture files through libpcap, pcapng files through
 * capture/pcapng.c, Network Monitor files through capture/netmon.c and
 * named classic pcap files of the common kind through capture/pcapfile.c
 * (told apart by content: the pcapng section header type, the NetMon
 * magic, the pcap header pcapfile_takes(), anything else goes to libpcap).
 *
 * Timestamps are read at nanosecond precision whatever the file holds. A
 * BPF filter is applied with pcap_offline_filter() per frame rather than
 * pcap_setfilter(), so that frame numbers keep counting every record in
 * the file and always match what other tools show.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include <ikescope/capture.h>

#include "capture/copies.h"
#include "capture/netmon.h"
#include "capture/pcapfile.h"
#include "capture/pcapng.h"

struct iks_capture {
	pcap_t *pcap;
	char *path;
	bool have_filter;
	struct bpf_program filter;
	uint64_t frames;
	int linktype;
	char err[IKS_ERRBUF_SIZE];
	iks_netmon *nm;        /* NetMon input; pcap is then a dead handle for the filter */
	iks_pcapng *ng;        /* pcapng input; likewise */
	iks_pcapfile *pf;      /* a classic pcap file read without libpcap; likewise */
	copy_merger *merge;    /* iks_capture_merge_copies() on */
	bool started;          /* a frame was asked for */
	uint8_t *mem;          /* owned copy of the input of iks_capture_open_buffer */
	char *iobuf;           /* the stdio buffer of a named file (freed after it is closed) */
};

/* A named file's stdio buffer: libpcap reads a record at a time through
 * fread, which with the default 4 KiB buffer costs a read() per 4 KiB.
 * 128 KiB, not more: reading a 464 MB pcap held in the page cache (Linux,
 * 2-core AMD EPYC VM) cost 0.05 s of system time with 64-128 KiB reads,
 * 0.09 s with 4 KiB ones and 0.20 s with 256 KiB or 1 MiB ones. */
#define CAPTURE_IOBUF_SIZE ((size_t)1 << 17)

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

static iks_capture *capture_new(const char *path, char *errbuf)
{
	iks_capture *cap = calloc(1, sizeof(*cap));
	if (cap)
		cap->path = strdup(path);
	if (!cap || !cap->path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", display_name(path));
		free(cap);
		return NULL;
	}
	return cap;
}

/* Compile the filter: against the file's pcap handle, or for NetMon input
 * against a dead handle of the file's link type. */
static iks_capture *capture_finish(iks_capture *cap, const char *bpf_filter, char *errbuf)
{
	if (cap->nm)
		cap->linktype = netmon_file_linktype(cap->nm);
	else if (cap->ng)
		cap->linktype = pcapng_file_linktype(cap->ng);
	else if (cap->pf)
		cap->linktype = pcapfile_linktype(cap->pf);
	else
		cap->linktype = pcap_datalink(cap->pcap);
	if (!bpf_filter || !bpf_filter[0])
		return cap;
	if ((cap->nm || cap->ng || cap->pf) &&
	    !(cap->pcap = pcap_open_dead(cap->linktype, (int)NETMON_MAX_CAPLEN))) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot apply a filter to link type %d",
				 display_name(cap->path), cap->linktype);
		iks_capture_close(cap);
		return NULL;
	}
	if (pcap_compile(cap->pcap, &cap->filter, bpf_filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: bad filter \"%s\": %s",
				 display_name(cap->path), bpf_filter, pcap_geterr(cap->pcap));
		iks_capture_close(cap);
		return NULL;
	}
	cap->have_filter = true;
	return cap;
}

/* Standard input: a seekable one (a redirected file) may hold NetMon; a
 * pipe cannot, and one that starts like a NetMon magic is refused clearly. */
static bool stdin_netmon(iks_capture *cap, char *errbuf, bool *failed)
{
	uint8_t magic[4];
	*failed = false;
	if (fseeko(stdin, 0, SEEK_CUR) == 0) {
		size_t n = fread(magic, 1, 4, stdin);
		if (fseeko(stdin, 0, SEEK_SET) != 0 || !netmon_magic(magic, n))
			return false;
		int fd = dup(fileno(stdin));
		FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
		if (!f && fd >= 0)
			close(fd);
		cap->nm = f ? netmon_open(f, NULL, 0, "(standard input)", errbuf) : NULL;
		if (!f && errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "(standard input): cannot reopen");
		*failed = !cap->nm;
		return true;
	}
	int c = getc(stdin);
	if (c == EOF)
		return false;
	ungetc(c, stdin);
	if (c != 'G' && c != 'R')
		return false; /* no pcap or pcapng magic starts with these */
	if (errbuf)
		snprintf(errbuf, IKS_ERRBUF_SIZE,
			 "(standard input): not a pcap file; if it is a Network Monitor capture "
			 "(.cap), it cannot be read from a pipe (its frame table is at the end of "
			 "the file): give the file name instead");
	*failed = true;
	return true;
}

iks_capture *iks_capture_open(const char *path, const char *bpf_filter, char *errbuf)
{
	char pcap_err[PCAP_ERRBUF_SIZE];

	if (!path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "no capture file given");
		return NULL;
	}
	iks_capture *cap = capture_new(path, errbuf);
	if (!cap)
		return NULL;
	if (strcmp(path, "-") == 0) {
		int c0 = getc(stdin);
		if (c0 != EOF)
			ungetc(c0, stdin);
		if (c0 == 0x0A) { /* the first byte of a pcapng section header */
			cap->ng = pcapng_open(stdin, false, "(standard input)", errbuf);
			if (!cap->ng) {
				iks_capture_close(cap);
				return NULL;
			}
			return capture_finish(cap, bpf_filter, errbuf);
		}
		bool failed;
		if (stdin_netmon(cap, errbuf, &failed)) {
			if (failed) {
				iks_capture_close(cap);
				return NULL;
			}
			return capture_finish(cap, bpf_filter, errbuf);
		}
	} else {
		/* detected by content: NetMon by its magic, anything else by libpcap */
		FILE *f = fopen(path, "rb");
		if (f) {
			/* before any read; without memory, stdio's own buffer */
			cap->iobuf = malloc(CAPTURE_IOBUF_SIZE);
			if (cap->iobuf && setvbuf(f, cap->iobuf, _IOFBF, CAPTURE_IOBUF_SIZE) != 0) {
				free(cap->iobuf);
				cap->iobuf = NULL;
			}
		}
		uint8_t magic[PCAPFILE_HEADER_LEN];
		size_t nmagic = f ? fread(magic, 1, sizeof(magic), f) : 0;
		if (f && pcapng_magic(magic, nmagic)) {
			if (fseeko(f, 0, SEEK_SET) != 0) {
				snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot seek", path);
				fclose(f);
				iks_capture_close(cap);
				return NULL;
			}
			cap->ng = pcapng_open(f, true, path, errbuf);
			if (!cap->ng) {
				iks_capture_close(cap);
				return NULL;
			}
			return capture_finish(cap, bpf_filter, errbuf);
		}
		if (f && pcapfile_takes(magic, nmagic)) {
			/* the common classic pcap: read in place, not through libpcap */
			cap->pf = pcapfile_open(f, magic, path, errbuf);
			if (!cap->pf) {
				iks_capture_close(cap);
				return NULL;
			}
			return capture_finish(cap, bpf_filter, errbuf);
		}
		if (f && netmon_magic(magic, nmagic)) {
			cap->nm = netmon_open(f, NULL, 0, path, errbuf);
			if (!cap->nm) {
				iks_capture_close(cap);
				return NULL;
			}
			return capture_finish(cap, bpf_filter, errbuf);
		}
		if (f) {
			/* libpcap on the open file, through the large buffer */
			pcap_err[0] = '\0';
			if (fseeko(f, 0, SEEK_SET) == 0)
				cap->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
										     pcap_err);
			if (!cap->pcap) {
				fclose(f);
				if (pcap_err[0]) {
					if (errbuf)
						snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot read capture: %s",
							 path, pcap_err);
					iks_capture_close(cap);
					return NULL;
				}
				/* could not seek: libpcap opens it by name below */
			} else {
				return capture_finish(cap, bpf_filter, errbuf);
			}
		}
	}
	pcap_err[0] = '\0';
	cap->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!cap->pcap) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot read capture: %s",
				 display_name(path), pcap_err);
		iks_capture_close(cap);
		return NULL;
	}
	return capture_finish(cap, bpf_filter, errbuf);
}

iks_capture *iks_capture_open_buffer(const uint8_t *data, size_t len, const char *name,
				     const char *bpf_filter, char *errbuf)
{
	char pcap_err[PCAP_ERRBUF_SIZE];

	if (!name)
		name = "(buffer)";
	if (!data || len == 0) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: empty capture", name);
		return NULL;
	}
	iks_capture *cap = capture_new(name, errbuf);
	if (!cap)
		return NULL;
	cap->mem = malloc(len);
	if (!cap->mem) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", name);
		iks_capture_close(cap);
		return NULL;
	}
	memcpy(cap->mem, data, len);
	if (netmon_magic(cap->mem, len)) {
		cap->nm = netmon_open(NULL, cap->mem, len, name, errbuf);
		if (!cap->nm) {
			iks_capture_close(cap);
			return NULL;
		}
		return capture_finish(cap, bpf_filter, errbuf);
	}
	FILE *f = fmemopen(cap->mem, len, "rb");
	if (f && pcapng_magic(cap->mem, len)) {
		cap->ng = pcapng_open(f, true, name, errbuf);
		if (!cap->ng) {
			iks_capture_close(cap);
			return NULL;
		}
		return capture_finish(cap, bpf_filter, errbuf);
	}
	pcap_err[0] = '\0';
	cap->pcap = f ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
								 pcap_err) : NULL;
	if (!cap->pcap) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: cannot read capture: %s", name,
				 f ? pcap_err : "cannot open the buffer");
		if (f)
			fclose(f);
		iks_capture_close(cap);
		return NULL;
	}
	return capture_finish(cap, bpf_filter, errbuf);
}

/* NetMon, pcapng or classic pcap input read by our own reader: the next
 * frame, with the filter applied as for libpcap. */
static int own_reader_frame(iks_capture *cap, iks_frame *frame)
{
	for (;;) {
		int rc = cap->nm ? netmon_next(cap->nm, frame)
			 : cap->ng ? pcapng_next(cap->ng, frame) : pcapfile_next(cap->pf, frame);
		if (rc != 1) {
			if (rc < 0)
				snprintf(cap->err, sizeof(cap->err), "%s",
					 cap->nm ? netmon_error(cap->nm)
					 : cap->ng ? pcapng_error(cap->ng) : pcapfile_error(cap->pf));
			return rc;
		}
		cap->frames = frame->number;
		if (!cap->have_filter)
			return 1;
		if (frame->linktype != cap->linktype) {
			snprintf(cap->err, sizeof(cap->err),
				 "%s: frame %llu: link type %d differs from the file's (%d) the filter "
				 "was compiled for", display_name(cap->path),
				 (unsigned long long)frame->number, frame->linktype, cap->linktype);
			return IKS_E_UNSUPPORTED;
		}
		struct pcap_pkthdr hdr;
		memset(&hdr, 0, sizeof(hdr));
		hdr.caplen = frame->caplen;
		hdr.len = frame->wirelen;
		if (pcap_offline_filter(&cap->filter, &hdr, frame->data))
			return 1;
	}
}

static int raw_next(void *src, iks_frame *frame)
{
	iks_capture *cap = src;
	if (cap->nm || cap->ng || cap->pf)
		return own_reader_frame(cap, frame);
	for (;;) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int rc = pcap_next_ex(cap->pcap, &hdr, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			const char *msg = pcap_geterr(cap->pcap);
			snprintf(cap->err, sizeof(cap->err), "%s: after frame %llu: %s",
				 display_name(cap->path), (unsigned long long)cap->frames, msg);
			/* libpcap says "truncated dump file" for a record cut short */
			return strstr(msg, "truncated") ? IKS_E_TRUNCATED : IKS_E_IO;
		}
		cap->frames++;
		if (cap->have_filter && !pcap_offline_filter(&cap->filter, hdr, data))
			continue;
		frame->number = cap->frames;
		frame->ts_sec = (int64_t)hdr->ts.tv_sec;
		/* with PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds */
		frame->ts_nsec = (uint32_t)hdr->ts.tv_usec;
		frame->linktype = cap->linktype;
		frame->caplen = hdr->caplen;
		frame->wirelen = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
		frame->data = data;
		memset(&frame->meta, 0, sizeof(frame->meta));
		return 1;
	}
}

int iks_capture_next(iks_capture *cap, iks_frame *frame)
{
	if (!cap || !frame)
		return IKS_E_INVALID;
	cap->started = true;
	if (cap->merge)
		return copies_next(cap->merge, raw_next, cap, frame);
	return raw_next(cap, frame);
}

iks_status iks_capture_merge_copies(iks_capture *cap, bool on)
{
	if (!cap || cap->started)
		return IKS_E_INVALID;
	if (!on) {
		copies_free(cap->merge);
		cap->merge = NULL;
		return IKS_OK;
	}
	if (!cap->merge && !(cap->merge = copies_new()))
		return IKS_E_NOMEM;
	return IKS_OK;
}

void iks_capture_get_stats(const iks_capture *cap, iks_capture_stats *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	if (cap) {
		copies_stats(cap->merge, &st->copies_released_early, &st->copies_split);
		pcapng_comment_stats(cap->ng, &st->comments_dropped, &st->frames_comments_cut);
	}
}

int iks_capture_linktype(const iks_capture *cap)
{
	return cap ? cap->linktype : -1;
}

uint32_t iks_capture_snaplen(const iks_capture *cap)
{
	if (cap && cap->nm)
		return NETMON_MAX_CAPLEN;
	if (cap && cap->ng)
		return pcapng_file_snaplen(cap->ng);
	if (cap && cap->pf)
		return pcapfile_snaplen(cap->pf);
	return cap ? (uint32_t)pcap_snapshot(cap->pcap) : 0;
}

const char *iks_capture_error(const iks_capture *cap)
{
	return cap ? cap->err : "";
}

void iks_capture_close(iks_capture *cap)
{
	if (!cap)
		return;
	if (cap->have_filter)
		pcap_freecode(&cap->filter);
	if (cap->pcap)
		pcap_close(cap->pcap);
	netmon_close(cap->nm);
	pcapng_close(cap->ng);
	pcapfile_close(cap->pf);
	copies_free(cap->merge);
	free(cap->mem);
	free(cap->iobuf); /* after the FILE that used it is closed */
	free(cap->path);
	free(cap);
}

size_t iks_capture_interface_count(const iks_capture *cap)
{
	return cap ? pcapng_interface_count(cap->ng) : 0;
}

iks_status iks_capture_interface_get(const iks_capture *cap, size_t index,
				     iks_capture_interface *out)
{
	if (!cap || !out || !pcapng_interface(cap->ng, index, out))
		return IKS_E_INVALID;
	return IKS_OK;
}
