/* test_ipfrag.c - IPv4/IPv6 fragment reassembly with hand-made fragments. */
#include <string.h>

#include "suites.h"
#include "net/ipfrag.h"

/* Every fragment carries pat[offset .. offset+len), so a reassembled
 * datagram of n bytes must equal pat[0 .. n). */
static uint8_t pat[8192];

static void pat_init(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7u + 3u);
}

/* The documented iks_decoder_limits defaults, filled by hand. */
static iks_decoder_limits limits_default(void)
{
	iks_decoder_limits lim = {
		.frag_datagrams_max = 4096,
		.frag_bytes_max = 64u * 1024 * 1024,
		.frag_datagram_max_len = 65535,
		.frag_pieces_max = 256,
		.frag_timeout_ms_v4 = 30000,
		.frag_timeout_ms_v6 = 60000,
		.events_max = 4096,
	};
	return lim;
}

static iks_frag_input frag(uint8_t version, uint32_t id, uint32_t off, uint32_t len, bool mf,
			   uint64_t frame, int64_t sec)
{
	iks_frag_input in;

	memset(&in, 0, sizeof(in));
	in.version = version;
	in.src.family = in.dst.family = version;
	if (version == 4) {
		const uint8_t s[4] = { 192, 0, 2, 1 }, d[4] = { 198, 51, 100, 1 };
		memcpy(in.src.bytes, s, 4);
		memcpy(in.dst.bytes, d, 4);
	} else {
		in.src.bytes[0] = in.dst.bytes[0] = 0x20;
		in.src.bytes[1] = in.dst.bytes[1] = 0x01;
		in.src.bytes[2] = in.dst.bytes[2] = 0x0d;
		in.src.bytes[3] = in.dst.bytes[3] = 0xb8;
		in.src.bytes[15] = 1;
		in.dst.bytes[15] = 2;
	}
	in.proto = 17;
	in.id = id;
	in.offset = off;
	in.mf = mf;
	in.payload.p = pat + off;
	in.payload.len = len;
	in.payload_wire_len = len;
	in.frame = frame;
	in.ts_sec = sec;
	return in;
}

static iks_frag_input frag4(uint32_t id, uint32_t off, uint32_t len, bool mf, uint64_t frame)
{
	return frag(4, id, off, len, mf, frame, 1000);
}

/* Fixture: a table over a queue. */
static iks_evq q;
static iks_frag_table *t;
static iks_frag_output out;

static void open_table(const iks_decoder_limits *lim, uint32_t qcap)
{
	pat_init();
	ck_assert_int_eq(evq_init(&q, qcap), IKS_OK);
	t = iks_frag_table_new(lim, &q);
	ck_assert_ptr_nonnull(t);
}

static void open_default(void)
{
	iks_decoder_limits lim = limits_default();
	open_table(&lim, 64);
}

static void close_table(void)
{
	iks_frag_table_free(t);
	t = NULL;
	evq_free(&q);
}

static void add(iks_frag_input in)
{
	iks_frag_add(t, &in, &out);
}

static void expect_completed(uint64_t id, uint32_t len, uint16_t count)
{
	ck_assert_int_eq(out.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(out.datagram_id, id);
	ck_assert_uint_eq(out.datagram.len, len);
	ck_assert_mem_eq(out.datagram.p, pat, len);
	ck_assert_uint_eq(out.fragment_count, count);
}

static void expect_rejected(iks_status st)
{
	ck_assert_int_eq(out.result, IKS_FRAG_REJECTED);
	ck_assert_int_eq(out.status, st);
	ck_assert_uint_eq(out.datagram_id, 0);
	ck_assert_ptr_nonnull(out.reason);
}

static iks_event pop(void)
{
	iks_event ev;
	ck_assert(evq_pop(&q, &ev));
	return ev;
}

START_TEST(in_order)
{
	add(frag4(0x6347, 0, 16, true, 10));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 1);
	add(frag4(0x6347, 16, 16, true, 11));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	add(frag4(0x6347, 32, 9, false, 12));
	expect_completed(1, 41, 3);
	ck_assert_uint_eq(out.proto, 17);
	ck_assert(!out.overlap && !out.conflict);
	ck_assert_uint_eq(out.frames[0], 10);
	ck_assert_uint_eq(out.frames[1], 11);
	ck_assert_uint_eq(out.frames[2], 12);
	/* Next datagram gets the next id; nothing left at the end. */
	add(frag4(0x6348, 0, 8, true, 13));
	ck_assert_uint_eq(out.datagram_id, 2);
	add(frag4(0x6348, 8, 1, false, 14));
	expect_completed(2, 9, 2);
	iks_frag_finish(t);
	ck_assert_uint_eq(q.count, 0);
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.fragments, 5);
	ck_assert_uint_eq(st.completed, 2);
	ck_assert_uint_eq(st.incomplete, 0);
	ck_assert_uint_eq(st.datagrams_peak, 1);
	ck_assert_uint_eq(st.bytes_peak, 41);
}
END_TEST

START_TEST(out_of_order_v6)
{
	iks_frag_input last = frag(6, 0xdeadbeef, 2960, 1048, false, 1, 5);
	last.proto = 99; /* only the offset-0 fragment's next header counts */
	add(last);
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	add(frag(6, 0xdeadbeef, 0, 1480, true, 2, 5));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	add(frag(6, 0xdeadbeef, 1480, 1480, true, 3, 5));
	expect_completed(1, 4008, 3);
	ck_assert_uint_eq(out.proto, 17);
	ck_assert_uint_eq(out.frames[0], 1);
	ck_assert_uint_eq(out.frames[1], 2);
	ck_assert_uint_eq(out.frames[2], 3);
}
END_TEST

START_TEST(duplicate)
{
	add(frag4(7, 0, 16, true, 1));
	add(frag4(7, 0, 16, true, 2));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 1);
	ck_assert(out.overlap);
	ck_assert(!out.conflict);
	add(frag4(7, 16, 4, false, 3));
	expect_completed(1, 20, 3);
	ck_assert_uint_eq(out.frames[1], 2);
}
END_TEST

START_TEST(overlap_identical_and_conflicting)
{
	/* identical bytes in the overlap */
	add(frag4(1, 0, 16, true, 1));
	add(frag4(1, 8, 16, true, 2));
	ck_assert(out.overlap);
	ck_assert(!out.conflict);
	add(frag4(1, 24, 8, false, 3));
	expect_completed(1, 32, 3);

	/* different bytes: the first-received ones are kept */
	uint8_t bad[16];
	memcpy(bad, pat + 8, sizeof(bad));
	bad[3] ^= 0xff;   /* byte 11 differs, inside the overlap */
	bad[12] ^= 0xff;  /* byte 20 differs, outside it (new data) */
	add(frag4(2, 0, 16, true, 4));
	iks_frag_input in = frag4(2, 8, 16, true, 5);
	in.payload.p = bad;
	add(in);
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert(out.overlap);
	ck_assert(out.conflict);
	add(frag4(2, 24, 8, false, 6));
	ck_assert_int_eq(out.result, IKS_FRAG_COMPLETED);
	ck_assert_uint_eq(out.datagram_id, 2);
	ck_assert_uint_eq(out.datagram.len, 32);
	ck_assert_mem_eq(out.datagram.p, pat, 20);
	ck_assert_uint_eq(out.datagram.p[20], bad[12]);
	ck_assert_mem_eq(out.datagram.p + 21, pat + 21, 11);

	/* an overlap spanning two held ranges and the gap between them */
	add(frag4(3, 0, 8, true, 7));
	add(frag4(3, 24, 8, false, 8));
	add(frag4(3, 0, 32, true, 9));
	ck_assert(out.overlap && !out.conflict);
	expect_completed(3, 32, 3);
}
END_TEST

START_TEST(missing_middle)
{
	add(frag4(9, 0, 8, true, 21));
	add(frag4(9, 16, 8, true, 22));
	add(frag4(9, 40, 8, false, 23));
	add(frag4(9, 64, 8, true, 24));  /* past the end: the datagram is invalid */
	expect_rejected(IKS_E_MALFORMED);
	iks_event ev = pop();
	ck_assert_int_eq(ev.kind, IKS_EV_DATAGRAM_INCOMPLETE);
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_INVALID);
	ck_assert_uint_eq(ev.frame, 24);

	/* the same without the bad fragment, given up at the end */
	add(frag4(10, 0, 8, true, 31));
	add(frag4(10, 16, 8, true, 32));
	iks_frag_input last = frag4(10, 40, 8, false, 33);
	last.ts_sec = 1001;
	last.ts_nsec = 5;
	add(last);
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 2);
	iks_frag_finish(t);
	ev = pop();
	ck_assert_int_eq(ev.kind, IKS_EV_DATAGRAM_INCOMPLETE);
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_END);
	ck_assert_uint_eq(ev.datagram_id, 2);
	ck_assert_uint_eq(ev.frame, 0);
	ck_assert_int_eq(ev.ts_sec, 1001);
	ck_assert_uint_eq(ev.ts_nsec, 5);
	ck_assert_uint_eq(ev.ip_version, 4);
	ck_assert_uint_eq(ev.ip_id, 10);
	ck_assert_uint_eq(ev.proto, 17);
	ck_assert_uint_eq(ev.src.bytes[0], 192);
	ck_assert_uint_eq(ev.dst.bytes[0], 198);
	ck_assert_uint_eq(ev.first_frame, 31);
	ck_assert_uint_eq(ev.last_frame, 33);
	ck_assert_uint_eq(ev.fragments, 3);
	ck_assert_uint_eq(ev.received_bytes, 24);
	ck_assert_uint_eq(ev.datagram_len, 48);
	ck_assert_uint_eq(ev.nholes, 2);
	ck_assert(!ev.holes_truncated);
	ck_assert_uint_eq(ev.holes[0].start, 8);
	ck_assert_uint_eq(ev.holes[0].end, 16);
	ck_assert_uint_eq(ev.holes[1].start, 24);
	ck_assert_uint_eq(ev.holes[1].end, 40);
	ck_assert(!evq_pop(&q, &ev));
}
END_TEST

START_TEST(missing_first_and_last)
{
	add(frag4(11, 8, 8, true, 1));
	add(frag4(11, 16, 8, true, 2));
	iks_frag_finish(t);
	iks_event ev = pop();
	ck_assert_uint_eq(ev.received_bytes, 16);
	ck_assert_uint_eq(ev.datagram_len, IKS_LEN_UNKNOWN);
	ck_assert_uint_eq(ev.nholes, 2);
	ck_assert_uint_eq(ev.holes[0].start, 0);
	ck_assert_uint_eq(ev.holes[0].end, 8);
	ck_assert_uint_eq(ev.holes[1].start, 24);
	ck_assert_uint_eq(ev.holes[1].end, IKS_LEN_UNKNOWN);
}
END_TEST

START_TEST(holes_truncated)
{
	/* pieces at 8, 24, ..., 168 and the end at 176: holes 0-8, 16-24, ... */
	for (uint32_t i = 0; i < 11; i++)
		add(frag4(12, 8 + 16 * i, 8, i < 10, i + 1));
	iks_frag_finish(t);
	iks_event ev = pop();
	ck_assert_uint_eq(ev.datagram_len, 176);
	ck_assert_uint_eq(ev.fragments, 11);
	ck_assert_uint_eq(ev.nholes, IKS_EVENT_MAX_HOLES);
	ck_assert(ev.holes_truncated);
	ck_assert_uint_eq(ev.holes[7].start, 112);
	ck_assert_uint_eq(ev.holes[7].end, 120);
}
END_TEST

START_TEST(timeout_v4_v6)
{
	add(frag(4, 1, 0, 8, true, 1, 100));
	add(frag(6, 1, 0, 8, true, 2, 100));
	iks_frag_expire(t, 130, 0, 3);          /* exactly 30 s: not yet */
	ck_assert_uint_eq(q.count, 0);
	iks_frag_expire(t, 130, 1, 4);
	ck_assert_uint_eq(q.count, 1);
	iks_event ev = pop();
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_TIMEOUT);
	ck_assert_uint_eq(ev.ip_version, 4);
	ck_assert_uint_eq(ev.datagram_id, 1);
	ck_assert_uint_eq(ev.frame, 4);
	ck_assert_int_eq(ev.ts_sec, 130);
	ck_assert_uint_eq(ev.ts_nsec, 1);
	/* a timestamp going backwards does not move the clock back */
	iks_frag_expire(t, 50, 0, 5);
	ck_assert_uint_eq(q.count, 0);
	iks_frag_expire(t, 160, 0, 6);
	ck_assert_uint_eq(q.count, 0);
	iks_frag_expire(t, 160, 2, 7);
	ev = pop();
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_TIMEOUT);
	ck_assert_uint_eq(ev.ip_version, 6);
	ck_assert_uint_eq(ev.datagram_id, 2);
	ck_assert_uint_eq(ev.frame, 7);
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.incomplete, 2);

	/* the datagram's age counts from its first fragment, not its last */
	add(frag(4, 2, 0, 8, true, 8, 200));
	add(frag(4, 2, 8, 8, true, 9, 229));
	iks_frag_expire(t, 230, 500, 10);
	ev = pop();
	ck_assert_uint_eq(ev.datagram_id, 3);
	ck_assert_uint_eq(ev.fragments, 2);
}
END_TEST

START_TEST(late_copies)
{
	/* plain_frag_r-any-nsec.pcap: both router interfaces in one file; the
	 * a side cuts at 1480, the b side re-cuts each 1480 piece at 1280 */
	add(frag4(0x6347, 0, 1480, true, 12));
	add(frag4(0x6347, 0, 1280, true, 15));
	ck_assert(out.overlap && !out.conflict);
	add(frag4(0x6347, 1280, 200, true, 16));
	add(frag4(0x6347, 1480, 1480, true, 17));
	add(frag4(0x6347, 1480, 1280, true, 18));
	add(frag4(0x6347, 2760, 200, true, 19));
	add(frag4(0x6347, 2960, 1048, false, 20));
	expect_completed(1, 4008, 7);
	add(frag4(0x6347, 2960, 1048, false, 21));
	ck_assert_int_eq(out.result, IKS_FRAG_LATE);
	ck_assert_uint_eq(out.datagram_id, 1);
	iks_frag_finish(t);
	ck_assert_uint_eq(q.count, 0);

	/* past the old end with the same key: a new datagram */
	add(frag4(0x6347, 4008, 8, true, 22));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 2);

	/* a copy in the same instant is late; a second later (past
	 * RECENT_WINDOW_MS, 50 ms) the key is forgotten: busy hosts reuse IP
	 * IDs well within the 30 s timeout */
	add(frag4(0x77, 0, 8, true, 30));
	add(frag4(0x77, 8, 8, false, 31));
	expect_completed(3, 16, 2);
	add(frag(4, 0x77, 0, 8, true, 32, 1000));
	ck_assert_int_eq(out.result, IKS_FRAG_LATE);
	ck_assert_uint_eq(out.datagram_id, 3);
	add(frag(4, 0x77, 0, 8, true, 33, 1001));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 4);

	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.completed, 2);
	ck_assert_uint_eq(st.fragments, 13);
}
END_TEST

START_TEST(given_up_then_late)
{
	add(frag4(5, 0, 8, true, 1));
	add(frag4(5, 16, 8, false, 2));
	add(frag4(5, 16, 16, false, 3));   /* a second, different end */
	expect_rejected(IKS_E_MALFORMED);
	iks_event ev = pop();
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_INVALID);
	ck_assert_uint_eq(ev.datagram_id, 1);
	ck_assert_uint_eq(ev.datagram_len, 24);
	ck_assert_uint_eq(ev.received_bytes, 16);
	ck_assert_uint_eq(ev.nholes, 1);
	ck_assert_uint_eq(ev.holes[0].start, 8);
	ck_assert_uint_eq(ev.holes[0].end, 16);
	add(frag4(5, 8, 8, true, 4));
	ck_assert_int_eq(out.result, IKS_FRAG_LATE);
	ck_assert_uint_eq(out.datagram_id, 1);

	/* a last fragment ending before data already held */
	add(frag4(6, 16, 16, true, 5));
	add(frag4(6, 8, 8, false, 6));
	expect_rejected(IKS_E_MALFORMED);
	ev = pop();
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_INVALID);
	ck_assert_uint_eq(ev.datagram_id, 2);
	ck_assert_uint_eq(ev.datagram_len, IKS_LEN_UNKNOWN);
}
END_TEST

START_TEST(bad_lengths)
{
	add(frag4(1, 0, 12, true, 1));
	expect_rejected(IKS_E_MALFORMED);
	add(frag4(1, 4, 8, true, 2));
	expect_rejected(IKS_E_MALFORMED);
	add(frag4(1, 0, 0, true, 3));
	expect_rejected(IKS_E_MALFORMED);
	add(frag4(1, 65528, 8, true, 4));    /* ends at 65536 > 65535 */
	expect_rejected(IKS_E_MALFORMED);
	iks_frag_input big = frag4(1, UINT32_MAX - 7, 16, true, 5);
	big.payload_wire_len = UINT32_MAX;  /* offset + len overflows 32 bits */
	big.payload.len = SIZE_MAX;
	big.payload.p = NULL;
	big.mf = false;
	add(big);
	expect_rejected(IKS_E_MALFORMED);
	iks_frag_input v5 = frag4(1, 0, 8, true, 6);
	v5.version = 5;
	add(v5);
	expect_rejected(IKS_E_MALFORMED);
	/* a last fragment of any length is fine */
	add(frag4(1, 8, 8, true, 7));
	add(frag4(1, 16, 13, false, 8));
	add(frag4(1, 0, 8, true, 9));
	expect_completed(1, 29, 3);
	iks_frag_input edge = frag4(2, 65520, 15, false, 10); /* ends at exactly 65535 */
	edge.payload.p = pat;
	add(edge);
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.fragments, 10);
	ck_assert_uint_eq(st.bytes_peak, 65535);
}
END_TEST

START_TEST(truncated)
{
	add(frag4(3, 0, 16, true, 1));
	iks_frag_input cut = frag4(3, 16, 16, false, 2);
	cut.payload.len = 10;
	add(cut);
	expect_rejected(IKS_E_TRUNCATED);
	add(frag4(3, 16, 16, false, 3));
	expect_completed(1, 32, 2);
	ck_assert_uint_eq(out.frames[1], 3);
}
END_TEST

START_TEST(atomic_fragment)
{
	add(frag(6, 42, 0, 8, true, 1, 1));
	add(frag(6, 42, 0, 100, false, 2, 1));   /* RFC 6946: on its own */
	expect_completed(2, 100, 1);
	ck_assert_ptr_eq(out.datagram.p, pat);
	ck_assert_uint_eq(out.frames[0], 2);
	add(frag(6, 42, 8, 8, false, 3, 1));
	expect_completed(1, 16, 2);
}
END_TEST

START_TEST(cap_datagrams)
{
	iks_decoder_limits lim = limits_default();
	lim.frag_datagrams_max = 4;
	open_table(&lim, 64);
	for (uint32_t i = 0; i < 10; i++) {
		add(frag4(100 + i, 0, 8, true, i + 1));
		ck_assert_int_eq(out.result, IKS_FRAG_HELD);
		ck_assert_uint_eq(out.datagram_id, i + 1);
	}
	/* the cap is reported once, at its first hit (frame 5); the five
	 * later hits are counted, and each eviction is its own event */
	iks_event lev = pop();
	ck_assert_int_eq(lev.kind, IKS_EV_LIMIT);
	ck_assert_str_eq(lev.limit, "frag_datagrams_max");
	ck_assert_uint_eq(lev.limit_value, 4);
	ck_assert_uint_eq(lev.frame, 5);
	for (uint32_t i = 0; i < 6; i++) {
		iks_event ev = pop();
		ck_assert_int_eq(ev.kind, IKS_EV_DATAGRAM_INCOMPLETE);
		ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_EVICTED);
		ck_assert_uint_eq(ev.datagram_id, i + 1);
		ck_assert_uint_eq(ev.ip_id, 100 + i);
		ck_assert_uint_eq(ev.frame, i + 5);
	}
	ck_assert_uint_eq(q.count, 0);
	/* an evicted datagram's remaining fragments are late, not new, while
	 * its key is among the last frag_datagrams_max remembered */
	add(frag4(105, 8, 8, false, 11));
	ck_assert_int_eq(out.result, IKS_FRAG_LATE);
	ck_assert_uint_eq(out.datagram_id, 6);
	iks_frag_finish(t);
	for (uint32_t i = 0; i < 4; i++) {
		iks_event ev = pop();
		ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_END);
		ck_assert_uint_eq(ev.datagram_id, 7 + i);
	}
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.datagrams_peak, 4);
	ck_assert_uint_eq(st.limit_hits, 6);
	ck_assert_uint_eq(st.incomplete, 10);
	ck_assert_uint_eq(q.limit_hits, 6);
	ck_assert_uint_eq(q.limit_repeats, 5);
	close_table();
}
END_TEST

START_TEST(cap_bytes)
{
	iks_decoder_limits lim = limits_default();
	lim.frag_bytes_max = 64;
	open_table(&lim, 64);
	add(frag4(1, 0, 32, true, 1));
	add(frag(6, 2, 0, 32, true, 2, 1000));
	ck_assert_uint_eq(q.count, 0);
	add(frag4(3, 0, 16, true, 3));       /* 80 > 64: the oldest goes */
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ck_assert_uint_eq(out.datagram_id, 3);
	iks_event ev = pop();
	ck_assert_int_eq(ev.kind, IKS_EV_LIMIT);
	ck_assert_str_eq(ev.limit, "frag_bytes_max");
	ck_assert_uint_eq(ev.limit_value, 64);
	ev = pop();
	ck_assert_int_eq(ev.reason, IKS_INCOMPLETE_EVICTED);
	ck_assert_uint_eq(ev.datagram_id, 1);
	ck_assert_uint_eq(q.count, 0);
	/* one fragment that cannot fit at all: the cap again, counted only */
	add(frag4(4, 64, 8, false, 4));
	expect_rejected(IKS_E_LIMIT);
	ck_assert_uint_eq(q.count, 0);
	ck_assert_uint_eq(q.limit_hits, 2);
	/* a held datagram growing evicts the other one, then cannot grow further */
	add(frag4(3, 16, 32, true, 5));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	ev = pop();
	ck_assert_int_eq(ev.kind, IKS_EV_DATAGRAM_INCOMPLETE);
	ck_assert_uint_eq(ev.datagram_id, 2);
	ck_assert_uint_eq(ev.ip_version, 6);
	add(frag4(3, 56, 16, false, 6));
	expect_rejected(IKS_E_LIMIT);
	ck_assert_uint_eq(q.count, 0);
	add(frag4(3, 48, 16, false, 7));
	expect_completed(3, 64, 3);
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.bytes_peak, 64);
	ck_assert_uint_eq(st.limit_hits, 4);
	ck_assert_uint_eq(q.limit_hits, 4);
	ck_assert_uint_eq(q.limit_repeats, 3);
	close_table();
}
END_TEST

START_TEST(cap_pieces)
{
	iks_decoder_limits lim = limits_default();
	lim.frag_pieces_max = 3;
	open_table(&lim, 64);
	add(frag4(8, 0, 8, true, 1));
	add(frag4(8, 0, 8, true, 2));
	add(frag4(8, 8, 8, true, 3));
	ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	add(frag4(8, 16, 8, false, 4));
	expect_rejected(IKS_E_LIMIT);
	iks_event ev = pop();
	ck_assert_int_eq(ev.kind, IKS_EV_LIMIT);
	ck_assert_str_eq(ev.limit, "frag_pieces_max");
	ck_assert_uint_eq(ev.limit_value, 3);
	ck_assert_uint_eq(ev.datagram_id, 1);
	ck_assert_uint_eq(ev.frame, 4);
	iks_frag_finish(t);
	ev = pop();
	ck_assert_uint_eq(ev.fragments, 3);
	ck_assert_uint_eq(ev.received_bytes, 16);
	close_table();
}
END_TEST

START_TEST(flood_bounded)
{
	iks_decoder_limits lim = limits_default();
	open_table(&lim, 16);
	for (uint32_t i = 0; i < 100000; i++) {
		iks_frag_input in = frag4(i & 0xffff, 0, 8, true, i + 1);
		in.src.bytes[3] = (uint8_t)(1 + (i >> 16));
		iks_frag_add(t, &in, &out);
		ck_assert_int_eq(out.result, IKS_FRAG_HELD);
	}
	iks_frag_stats st;
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.datagrams_peak, 4096);
	ck_assert_uint_eq(st.bytes_peak, 4096 * 8);
	ck_assert_uint_eq(st.incomplete, 100000 - 4096);
	ck_assert_uint_eq(st.limit_hits, 100000 - 4096);
	/* one limit event and an eviction each: the queue (16) keeps the
	 * first ones and counts the rest */
	ck_assert_uint_eq(q.count, 16);
	ck_assert_uint_eq(q.limit_repeats, 100000 - 4096 - 1);
	ck_assert_uint_eq(q.dropped, 1 + (100000 - 4096) - 16);
	iks_frag_finish(t);
	iks_frag_get_stats(t, &st);
	ck_assert_uint_eq(st.incomplete, 100000);
	ck_assert_uint_eq(q.dropped, 1 + (100000 - 4096) - 16 + 4096);
	close_table();
}
END_TEST

START_TEST(free_null)
{
	iks_frag_table_free(NULL);
}
END_TEST

Suite *suite_ipfrag(void)
{
	Suite *s = suite_create("ipfrag");
	TCase *tc = tcase_create("reassembly");

	tcase_add_checked_fixture(tc, open_default, close_table);
	tcase_add_test(tc, in_order);
	tcase_add_test(tc, out_of_order_v6);
	tcase_add_test(tc, duplicate);
	tcase_add_test(tc, overlap_identical_and_conflicting);
	tcase_add_test(tc, missing_middle);
	tcase_add_test(tc, missing_first_and_last);
	tcase_add_test(tc, holes_truncated);
	tcase_add_test(tc, timeout_v4_v6);
	tcase_add_test(tc, late_copies);
	tcase_add_test(tc, given_up_then_late);
	tcase_add_test(tc, bad_lengths);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, atomic_fragment);
	suite_add_tcase(s, tc);

	tc = tcase_create("caps");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cap_datagrams);
	tcase_add_test(tc, cap_bytes);
	tcase_add_test(tc, cap_pieces);
	tcase_add_test(tc, flood_bounded);
	tcase_add_test(tc, free_null);
	suite_add_tcase(s, tc);
	return s;
}
