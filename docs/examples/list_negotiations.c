/*
 * list_negotiations - list the IKE negotiations in a capture, using only
 * the public libikescope API.
 *
 * Build against an installed library:
 *   cc list_negotiations.c $(pkg-config --cflags --libs ikescope) -o list_negotiations
 *
 * A negotiation is identified by its IKE version and initiator SPI/cookie
 * (the responder's is zero in the first message). For each one it prints
 * the responder SPI, the messages seen, the exchanges and the frames.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <ikescope/ikescope.h>

#define MAX_NEGOTIATIONS 1024

struct negotiation {
	uint8_t version;
	uint8_t ispi[8], rspi[8];
	unsigned messages;
	uint64_t first_frame, last_frame;
	uint8_t exchanges[16];
	unsigned nexchanges;
};

static struct negotiation table[MAX_NEGOTIATIONS];

static struct negotiation *find(const iks_ike_info *ike, unsigned *count, int *full)
{
	for (unsigned i = 0; i < *count; i++)
		if (table[i].version == ike->version && !memcmp(table[i].ispi, ike->ispi, 8))
			return &table[i];
	if (*count == MAX_NEGOTIATIONS) {
		*full = 1;
		return NULL;
	}
	struct negotiation *n = &table[(*count)++];
	memset(n, 0, sizeof(*n));
	n->version = ike->version;
	memcpy(n->ispi, ike->ispi, 8);
	return n;
}

static void hex(const uint8_t *p)
{
	for (int i = 0; i < 8; i++)
		printf("%02x", p[i]);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CAPTURE\n", argv[0]);
		return 2;
	}
	char err[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(argv[1], NULL, err);
	if (!cap) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	iks_decoder *dec = iks_decoder_new(NULL);
	if (!dec) {
		iks_capture_close(cap);
		return 1;
	}
	unsigned count = 0;
	int full = 0, rc;
	iks_frame f;
	iks_packet p;
	while ((rc = iks_capture_next(cap, &f)) == 1) {
		iks_event ev;
		iks_decode(dec, &f, &p);
		while (iks_decoder_next_event(dec, &ev) == 1)
			;
		if (!p.l.ike.present)
			continue;
		struct negotiation *n = find(&p.l.ike, &count, &full);
		if (!n)
			continue;
		if (n->messages++ == 0)
			n->first_frame = p.frame;
		n->last_frame = p.frame;
		static const uint8_t zero[8];
		if (!memcmp(n->rspi, zero, 8))
			memcpy(n->rspi, p.l.ike.rspi, 8);
		int seen = 0;
		for (unsigned i = 0; i < n->nexchanges; i++)
			seen |= n->exchanges[i] == p.l.ike.exchange;
		if (!seen && n->nexchanges < sizeof(n->exchanges))
			n->exchanges[n->nexchanges++] = p.l.ike.exchange;
	}
	for (unsigned i = 0; i < count; i++) {
		struct negotiation *n = &table[i];
		printf("IKEv%u ", n->version);
		hex(n->ispi);
		printf(" ");
		hex(n->rspi);
		printf(" messages %u frames %" PRIu64 "-%" PRIu64 " exchanges", n->messages,
		       n->first_frame, n->last_frame);
		for (unsigned j = 0; j < n->nexchanges; j++) {
			const char *name = iks_ike_exchange_name(n->version, n->exchanges[j]);
			printf("%s%s", j ? "," : " ", name ? name : "?");
		}
		printf("\n");
	}
	if (full)
		fprintf(stderr, "more than %d negotiations: the rest are not listed\n", MAX_NEGOTIATIONS);
	int status = 0;
	if (rc < 0) {
		fprintf(stderr, "%s\n", iks_capture_error(cap));
		status = 1;
	}
	iks_decoder_free(dec);
	iks_capture_close(cap);
	return status;
}
