/*
 * capture.c - capture files through libpcap.
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

#include <pcap/pcap.h>

#include <ikescope/capture.h>

struct iks_capture {
	pcap_t *pcap;
	char *path;
	bool have_filter;
	struct bpf_program filter;
	uint64_t frames;
	int linktype;
	char err[IKS_ERRBUF_SIZE];
};

static const char *display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(standard input)" : path;
}

iks_capture *iks_capture_open(const char *path, const char *bpf_filter, char *errbuf)
{
	char pcap_err[PCAP_ERRBUF_SIZE];

	if (!path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "no capture file given");
		return NULL;
	}
	iks_capture *cap = calloc(1, sizeof(*cap));
	if (cap)
		cap->path = strdup(path);
	if (!cap || !cap->path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: out of memory", display_name(path));
		free(cap);
		return NULL;
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
	cap->linktype = pcap_datalink(cap->pcap);
	if (bpf_filter && bpf_filter[0]) {
		if (pcap_compile(cap->pcap, &cap->filter, bpf_filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			if (errbuf)
				snprintf(errbuf, IKS_ERRBUF_SIZE, "%s: bad filter \"%s\": %s",
					 display_name(path), bpf_filter, pcap_geterr(cap->pcap));
			iks_capture_close(cap);
			return NULL;
		}
		cap->have_filter = true;
	}
	return cap;
}

int iks_capture_next(iks_capture *cap, iks_frame *frame)
{
	if (!cap || !frame)
		return IKS_E_INVALID;
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
		return 1;
	}
}

int iks_capture_linktype(const iks_capture *cap)
{
	return cap ? cap->linktype : -1;
}

uint32_t iks_capture_snaplen(const iks_capture *cap)
{
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
	free(cap->path);
	free(cap);
}
