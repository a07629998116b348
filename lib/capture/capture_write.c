/*
 * capture_write.c - writing frames to a pcap file through libpcap (the
 * classic pcap format with nanosecond timestamps, snapshot length 262144),
 * so that the tools never include <pcap.h> themselves.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <ikescope/capture.h>

struct iks_capture_writer {
	pcap_t *dead;
	pcap_dumper_t *dump;
};

iks_capture_writer *iks_capture_writer_open(const char *path, int linktype, char *errbuf)
{
	if (errbuf)
		errbuf[0] = '\0';
	if (!path) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "no file name");
		return NULL;
	}
	iks_capture_writer *w = calloc(1, sizeof(*w));
	if (w)
		w->dead = pcap_open_dead_with_tstamp_precision(linktype, 262144,
							       PCAP_TSTAMP_PRECISION_NANO);
	if (w && w->dead)
		w->dump = pcap_dump_open(w->dead, path);
	if (!w || !w->dump) {
		if (errbuf)
			snprintf(errbuf, IKS_ERRBUF_SIZE, "%s",
				 w && w->dead ? pcap_geterr(w->dead) : "out of memory");
		if (w && w->dead)
			pcap_close(w->dead);
		free(w);
		return NULL;
	}
	return w;
}

int iks_capture_writer_linktype(const iks_capture_writer *w)
{
	return w ? pcap_datalink(w->dead) : -1;
}

iks_status iks_capture_write(iks_capture_writer *w, const iks_frame *f)
{
	if (!w || !f || (!f->data && f->caplen))
		return IKS_E_INVALID;
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)f->ts_sec;
	h.ts.tv_usec = (suseconds_t)f->ts_nsec; /* nanoseconds: the dumper is NANO */
	h.caplen = f->caplen;
	h.len = f->wirelen;
	pcap_dump((u_char *)w->dump, &h, f->data);
	return IKS_OK;
}

void iks_capture_writer_close(iks_capture_writer *w)
{
	if (!w)
		return;
	pcap_dump_close(w->dump);
	pcap_close(w->dead);
	free(w);
}
