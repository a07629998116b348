/*
 * fuzz_pcapng.c - the pcapng block reader (lib/capture/pcapng.c) through
 * iks_capture_open_buffer(). An input that does not start with a section
 * header block gets one and an Ethernet interface description put in front
 * (little-endian), so that mutations reach the packet blocks and their
 * options rather than dying at the magic. Checks what the reader promises:
 * frame numbers increase, caplen <= wirelen, every frame is on a described
 * interface whose name it carries, direction is a known value, the comment
 * is a string, and a failure has a message; then decodes each frame.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#define FRAMES_MAX 10000

static const uint8_t prefix[] = {
	/* section header block: type, length 28, magic, 1.0, section length -1 */
	0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
	/* interface description block: Ethernet, snaplen 0, if_name "f0" */
	1, 0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 'f', '0', 0, 0,
	28, 0, 0, 0
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[IKS_ERRBUF_SIZE];
	uint8_t *buf = NULL;
	const uint8_t *in = data;
	size_t len = size;
	if (size < 4 || memcmp(data, prefix, 4) != 0) {
		buf = malloc(sizeof(prefix) + size);
		if (!buf)
			return 0;
		memcpy(buf, prefix, sizeof(prefix));
		if (size)
			memcpy(buf + sizeof(prefix), data, size);
		in = buf;
		len = sizeof(prefix) + size;
	}
	err[0] = '\0';
	iks_capture *cap = iks_capture_open_buffer(in, len, "fuzz.pcapng", NULL, err);
	if (!cap) {
		if (!err[0])
			fuzz_fail("iks_capture_open_buffer", "failed without a message");
		free(buf);
		return 0;
	}
	iks_decoder_limits lim;
	fuzz_small_limits(&lim);
	iks_decoder *dec = iks_decoder_new(&lim);
	iks_frame f;
	iks_event ev;
	int rc = 0;
	uint64_t last = 0;
	for (unsigned n = 0; dec && n < FRAMES_MAX; n++) {
		rc = iks_capture_next(cap, &f);
		if (rc == 0)
			break;
		if (rc < 0) {
			if (!iks_capture_error(cap)[0])
				fuzz_fail("iks_capture_next", "failed without a message");
			if (rc != IKS_E_MALFORMED)
				break;
			continue; /* a bad block with a true length: the reader goes on */
		}
		if (f.number <= last || f.caplen > f.wirelen || (f.caplen && !f.data))
			fuzz_fail("iks_capture_next", "frame numbers not increasing or caplen > wirelen");
		last = f.number;
		iks_capture_interface ifc;
		if (!f.meta.present || iks_capture_interface_get(cap, f.meta.interface, &ifc) != IKS_OK)
			fuzz_fail("iks_capture_next", "pcapng frame without a described interface");
		if (f.meta.if_name != ifc.name || f.linktype != ifc.linktype)
			fuzz_fail("iks_capture_next", "frame's interface name or link type differs");
		if (f.meta.direction < 0 || f.meta.direction > 2)
			fuzz_fail("iks_capture_next", "direction out of range");
		if (f.meta.comment && strlen(f.meta.comment) > 65536)
			fuzz_fail("iks_capture_next", "comment over its cap");
		iks_packet pkt;
		iks_decode(dec, &f, &pkt);
		FUZZ_CHECK("iks_decode", fuzz_check_packet(&pkt, f.data, f.caplen, false));
		while (iks_decoder_next_event(dec, &ev) == 1)
			FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
	}
	if (dec) {
		iks_decoder_finish(dec);
		while (iks_decoder_next_event(dec, &ev) == 1)
			FUZZ_CHECK("iks_decoder_next_event", fuzz_check_event(&ev));
	}
	iks_decoder_free(dec);
	iks_capture_close(cap);
	free(buf);
	return 0;
}
