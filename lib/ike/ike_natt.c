/*
 * ike_natt.c - NAT-D verification against the addresses in this capture.
 *
 * IKEv1 (RFC 3947 section 3.2): HASH = HASH(CKY-I | CKY-R | IP | Port)
 * with the negotiated hash algorithm; the first NAT-D payload describes
 * the receiver (the destination as the sender addressed it), the next ones
 * the sender's own addresses.
 * IKEv2 (RFC 7296 section 2.23): NAT_DETECTION_SOURCE_IP and
 * NAT_DETECTION_DESTINATION_IP carry SHA-1(SPIi | SPIr | IP | Port),
 * always SHA-1 whatever the PRF; SPIr is zero in the IKE_SA_INIT request.
 *
 * A hash that differs from the address/port seen here means the packet's
 * address changed between where it was hashed and where it was captured,
 * or that the sender sent a deliberately wrong hash: strongSwan with
 * encap=yes fakes its source hash to force UDP encapsulation.
 */
#include "config.h"

#include <string.h>

#include "crypto/crypto.h"
#include "ike/ike_ctx.h"
#include "ike/ikev1_crypto.h"

/* Whether `want` equals HASH(ispi | rspi | addr | port). */
static bool natd_matches(crypto_hash algo, const iks_ike_msg *m, const iks_addr *a,
			 uint16_t port, iks_span want)
{
	uint8_t buf[8 + 8 + 16 + 2], out[CRYPTO_HASH_MAX];
	size_t alen = a->family == 4 ? 4 : 16, n = 0;
	size_t dlen = crypto_hash_len(algo);
	if (dlen == 0 || dlen > sizeof(out) || want.len != dlen)
		return false;
	memcpy(buf, m->ispi, 8);
	memcpy(buf + 8, m->rspi, 8);
	n = 16;
	memcpy(buf + n, a->bytes, alen);
	n += alen;
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	return crypto_hash2(algo, buf, n, NULL, 0, out, dlen) && memcmp(out, want.p, dlen) == 0;
}

static const char *mismatch_note(bool is_source, uint16_t port)
{
	if (!is_source)
		return "receiver's address/port differs from what the sender addressed: "
		       "NAT in front of the receiver (seen from this capture point)";
	if (port != 500 && port != 4500)
		return "sender's address and port (not 500/4500) were rewritten: NAT in front of "
		       "the sender";
	return "sender's address/port differs from its hash: a port-keeping NAT between the "
	       "sender and this capture point, or a peer forcing UDP encapsulation with a faked "
	       "NAT-D (strongSwan encap=yes does this); not proof of a NAT";
}

static void check(iks_ike_payload *pl, crypto_hash algo, const iks_ike_msg *m, const iks_layers *L,
		  bool is_source)
{
	pl->natd_is_source = is_source;
	const iks_addr *a = is_source ? &L->ip.src : &L->ip.dst;
	uint16_t port = is_source ? L->udp.sport : L->udp.dport;
	if (!L->ip.present || !L->udp.present) {
		pl->natd_note = "no IP/UDP header to compare with";
		return;
	}
	if (algo == CRYPTO_HASH_NONE) {
		pl->natd_note = "hash algorithm of this IKE SA not seen in the capture";
		return;
	}
	if (natd_matches(algo, m, a, port, pl->data)) {
		pl->natd = IKS_NATD_MATCH;
		return;
	}
	pl->natd = IKS_NATD_MISMATCH;
	pl->natd_note = mismatch_note(is_source, port);
}

/* Which side sent this message: 0 initiator, 1 responder, -1 unknown. */
static int sender_side(const iks_ike_msg *m, const iks_layers *L, ike_sa_state *sa)
{
	if (m->version == 2)
		return (m->flags & IKS_IKEV2_FLAG_INITIATOR) ? 0 : 1;
	static const uint8_t zero[8] = { 0 };
	if (!sa->v1_init_known && memcmp(m->rspi, zero, 8) == 0 && L->ip.present &&
	    L->udp.present) {
		sa->v1_init_known = true;
		sa->v1_init_addr = L->ip.src;
		sa->v1_init_port = L->udp.sport;
	}
	if (!sa->v1_init_known || !L->ip.present || !L->udp.present)
		return -1;
	if (memcmp(&L->ip.src, &sa->v1_init_addr, sizeof(iks_addr)) == 0 &&
	    L->udp.sport == sa->v1_init_port)
		return 0;
	return 1;
}

static void record(ike_sa_state *sa, int side, const iks_ike_payload *pl, uint16_t sport)
{
	if (side < 0 || pl->natd == IKS_NATD_UNCHECKED)
		return;
	if (pl->natd_is_source) {
		/* a mismatch is kept over later matches: one rewritten address is enough */
		if (sa->natd_src[side] != IKS_NATD_MISMATCH)
			sa->natd_src[side] = (uint8_t)pl->natd;
		sa->natd_sport[side] = sport;
	} else {
		/* the receiver is the other side */
		if (sa->natd_dst[1 - side] != IKS_NATD_MISMATCH)
			sa->natd_dst[1 - side] = (uint8_t)pl->natd;
	}
}

void ike_nat_verdicts(const ike_sa_state *sa, iks_ike_detail *d)
{
	for (int s = 0; s < 2; s++) {
		uint8_t src = sa->natd_src[s], dst = sa->natd_dst[s];
		uint16_t port = sa->natd_sport[s];
		d->nat_verdict[s] = IKS_NAT_UNKNOWN;
		d->nat_note[s] = NULL;
		if (dst == IKS_NATD_MISMATCH) {
			d->nat_verdict[s] = IKS_NAT_BEHIND;
			d->nat_note[s] = src == IKS_NATD_MISMATCH
				? "the peer addressed another address/port than seen here: NAT in front "
				  "of this side (this capture is on its inner side, so its own mismatching "
				  "source hash is faked to force encapsulation)"
				: "the peer addressed another address/port than seen here: NAT in front "
				  "of this side";
		} else if (src == IKS_NATD_MISMATCH && port != 500 && port != 4500 && port != 0) {
			d->nat_verdict[s] = IKS_NAT_BEHIND;
			d->nat_note[s] = "its source address and port (not 500/4500) were rewritten: "
					 "NAT in front of this side";
		} else if (src == IKS_NATD_MISMATCH) {
			d->nat_verdict[s] = IKS_NAT_FORCED;
			d->nat_note[s] = "the peer reached its real address, but its own source hash "
					 "matches nothing seen: faked NAT-D forcing UDP encapsulation "
					 "(strongSwan encap=yes), not a NAT (a port-keeping NAT between it "
					 "and this capture point would look the same)";
		} else if (src == IKS_NATD_MATCH || dst == IKS_NATD_MATCH) {
			d->nat_verdict[s] = IKS_NAT_NONE;
			d->nat_note[s] = "NAT-D hashes about this side match the addresses seen here";
		}
	}
}

void ike_natd_verify(iks_ike_msg *m, const iks_layers *L, ike_sa_state *sa)
{
	int side = sender_side(m, L, sa);
	uint16_t sport = L->udp.present ? L->udp.sport : 0;
	if (m->version == 1) {
		crypto_hash algo = ikev1_hash_of(sa->v1_hash);
		bool first = true;
		for (unsigned i = 0; i < m->npayloads; i++) {
			iks_ike_payload *pl = &m->payloads[i];
			if (pl->kind != IKS_PK_NAT_D || pl->status != IKS_OK)
				continue;
			check(pl, algo, m, L, !first);
			record(sa, side, pl, sport);
			first = false;
		}
		return;
	}
	for (unsigned i = 0; i < m->npayloads; i++) {
		iks_ike_payload *pl = &m->payloads[i];
		if (pl->kind != IKS_PK_NOTIFY || pl->status != IKS_OK ||
		    (pl->notify_type != 16388 && pl->notify_type != 16389))
			continue;
		check(pl, CRYPTO_SHA1, m, L, pl->notify_type == 16388);
		record(sa, side, pl, sport);
	}
}
