/* synth.c - packet records built by hand for the correlation tests. */
#include "synth.h"

#include <math.h>
#include <string.h>

static const uint8_t A[4] = { 192, 0, 2, 1 }, B[4] = { 198, 51, 100, 1 };

/* The frame, time and IPv4 header common to every record. */
static void synth_ip(synth *s, bool from_a, uint8_t proto, uint32_t size, uint16_t id,
		     uint8_t ttl, double t)
{
	memset(s, 0, sizeof(*s));
	iks_packet *p = &s->p;
	p->frame = id;
	p->ts_sec = (int64_t)floor(t);
	p->ts_nsec = (uint32_t)llround((t - floor(t)) * 1e9) % 1000000000u;
	p->caplen = p->wirelen = size + 14;
	iks_ip_info *ip = &p->l.ip;
	ip->present = true;
	ip->version = 4;
	ip->src.family = ip->dst.family = 4;
	memcpy(ip->src.bytes, from_a ? A : B, 4);
	memcpy(ip->dst.bytes, from_a ? B : A, 4);
	ip->proto = proto;
	ip->ttl = ttl;
	ip->df = true;
	ip->total_len = size;
	ip->header_len = 20;
	ip->id = id;
	ip->has_id = true;
	p->l.upper_decoded = true;
	p->flags = IKS_PKT_IPSEC;
}

void synth_esp(synth *s, bool from_a, uint32_t spi, uint32_t seq, uint32_t size, uint8_t ttl,
	       double t, uint8_t fill)
{
	synth_ip(s, from_a, 50, size, (uint16_t)(seq & 0xffff), ttl, t);
	iks_packet *p = &s->p;
	p->l.esp.present = true;
	p->l.esp.spi = spi;
	p->l.esp.seq = seq;
	p->l.esp.payload_len = size - 28;
	memset(s->bytes, fill, sizeof(s->bytes));
	s->bytes[0] = (uint8_t)seq;
	p->l.esp.raw.p = s->bytes;
	p->l.esp.raw.len = sizeof(s->bytes);
}

void synth_ike(synth *s, bool from_a, uint8_t ispi, uint8_t rspi, uint8_t exchange,
	       uint32_t msgid, bool response, uint32_t length, uint16_t ip_id, uint8_t ttl,
	       double t)
{
	synth_ip(s, from_a, 17, length + 28, ip_id, ttl, t);
	iks_packet *p = &s->p;
	p->l.udp.present = true;
	p->l.udp.sport = 500;
	p->l.udp.dport = 500;
	iks_ike_info *k = &p->l.ike;
	k->present = true;
	k->version = 2;
	memset(k->ispi, ispi, 8);
	memset(k->rspi, rspi, 8);
	k->exchange = exchange;
	k->flags = (uint8_t)((from_a ? 0x08 : 0) | (response ? 0x20 : 0)); /* I, R (RFC 7296 3.1) */
	k->msgid = msgid;
	k->length = length;
	k->captured = length;
	/* the message bytes: its header, then a body that tells messages apart */
	memcpy(s->bytes, k->ispi, 8);
	memcpy(s->bytes + 8, k->rspi, 8);
	s->bytes[18] = exchange;
	s->bytes[19] = k->flags;
	s->bytes[20] = (uint8_t)(msgid >> 24);
	s->bytes[21] = (uint8_t)(msgid >> 16);
	s->bytes[22] = (uint8_t)(msgid >> 8);
	s->bytes[23] = (uint8_t)msgid;
	s->bytes[24] = (uint8_t)(length >> 8);
	s->bytes[25] = (uint8_t)length;
	k->raw.p = s->bytes;
	k->raw.len = 28;
}
