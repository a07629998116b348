/*
 * ikedump - decode the IKE/IPsec packets of one capture.
 *
 * One line per IPsec-relevant packet (IKE, ESP, AH, NAT-T, their IP
 * fragments, ICMP errors), as text for people or JSON Lines (--json) for
 * programs; docs/json.md documents the keys.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ikescope/ikescope.h>

#include "dump/format.h"
#include "dump/format_ike.h"
#include "dump/holdq.h"
#include "common/jsonw.h"
#include "common/keyfiles.h"
#include "common/logview.h"
#include "common/verdicts_out.h"

#define HOLD_MAX_LINES 65536

static void usage(FILE *f)
{
	fputs("usage: ikedump [options] FILE\n"
	      "       ikedump [options] -r FILE\n"
	      "Decode the IKE/IPsec packets of a pcap, pcapng or Network Monitor (.cap) capture.\n"
	      "\n"
	      "  -r FILE        read FILE ('-' for standard input)\n"
	      "  -f EXPR        only frames matching the BPF filter EXPR (frame numbers are kept)\n"
	      "  -j, --json     one JSON object per line (keys in docs/json.md)\n"
	      "  -a, --all      also list packets that are not IPsec-related\n"
	      "  -v, --verbose  text: also print the decoded IKE payload tree of each message\n"
	      "  -c, --count    decode everything, print only counts\n"
	      "  --summary      after the packets, the verdicts this capture alone supports (the\n"
	      "                 capturing host, its peer, what is certain and what is likely)\n"
	      "  --log LOGFILE  join an IKE log (Oakley.log, charon, pluto) to the capture and show each\n"
	      "                 IKE packet's log line; repeat for a rotation set (docs/logs.md)\n"
	      "  -k, --keys FILE  decrypt and verify ESP with the keys in FILE (Wireshark esp_sa,\n"
	      "                 ikev1/ikev2_decryption_table, tcpdump -E lines, or a strongSwan\n"
	      "                 charon log at ike=4/chd=4; repeatable; keys are never printed)\n"
	      "  --esp-null     read ESP without a key as ESP-NULL where the packet shows it\n"
	      "                 (RFC 4303 padding, a cleanly decoding payload; ICV length guessed)\n"
	      "  --all-copies   pcapng from pktmon/etl2pcapng: list every copy of a packet (one\n"
	      "                 per driver component) instead of one frame per packet id\n"
	      "  -h, --help     this text\n"
	      "  -V, --version  library version\n"
	      "\n"
	      "Exit status: 0 success, 1 the capture could not be read (fully), 2 bad usage.\n",
	      f);
}

struct options {
	const char *path;
	const char *filter;
	bool json, all, count, verbose, summary;
	const char *logs[16];  /* --log files */
	const char *keyfiles[16];
	size_t nkeyfiles;
	bool esp_null;
	bool all_copies;
	size_t nlogs;
	logview *lv;
};

struct counts {
	uint64_t frames, ipsec, ike, esp, ah, icmp_errors, fragments, errors;
};

static bool parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "count", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "log", required_argument, NULL, 'L' },
		{ "keys", required_argument, NULL, 'k' },
		{ "esp-null", no_argument, NULL, 'N' },
		{ "summary", no_argument, NULL, 'S' },
		{ "all-copies", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "r:f:jacvhVL:k:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->path = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'j': o->json = true; break;
		case 'a': o->all = true; break;
		case 'c': o->count = true; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case 'N':
			o->esp_null = true;
			break;
		case 'S':
			o->summary = true;
			break;
		case 'C':
			o->all_copies = true;
			break;
		case 'k':
			if (o->nkeyfiles == sizeof(o->keyfiles) / sizeof(o->keyfiles[0]))
				return false;
			o->keyfiles[o->nkeyfiles++] = optarg;
			break;
		case 'L':
			if (o->nlogs == sizeof(o->logs) / sizeof(o->logs[0]))
				return false;
			o->logs[o->nlogs++] = optarg;
			break;
		case 'V': printf("ikedump (ikescope) %s\n", iks_version()); exit(0);
		default: return false;
		}
	}
	if (optind < argc) {
		if (o->path || optind + 1 < argc)
			return false;
		o->path = argv[optind];
	}
	return o->path != NULL;
}

static void count_packet(struct counts *n, const iks_packet *p)
{
	n->frames++;
	if (p->flags & IKS_PKT_IPSEC)
		n->ipsec++;
	if (p->l.ike.present)
		n->ike++;
	if (p->l.esp.present)
		n->esp++;
	if (p->l.ah.present)
		n->ah++;
	if (p->flags & IKS_PKT_ICMP_ERROR)
		n->icmp_errors++;
	if (p->l.ip.is_fragment)
		n->fragments++;
	if (p->err.status != IKS_OK)
		n->errors++;
}

static bool emit_event(holdq *q, strbuf *line, const iks_event *ev, bool json)
{
	sb_reset(line);
	if (ev->kind == IKS_EV_DATAGRAM_INCOMPLETE)
		holdq_resolve(q, ev->datagram_id, 0, ev->proto == 50 || ev->proto == 51);
	if (json)
		fmt_event_json(line, ev);
	else
		fmt_event_text(line, ev);
	sb_putc(line, '\n');
	return !line->oom && holdq_add(q, line->s, line->len, 0, false, true);
}

static bool drain_events(iks_decoder *dec, holdq *q, strbuf *line, const struct options *o,
			 iks_trace *tr)
{
	iks_event ev;
	while (iks_decoder_next_event(dec, &ev) == 1) {
		if (tr && iks_trace_add_event(tr, &ev) == IKS_E_NOMEM)
			return false;
		if (!o->count && !emit_event(q, line, &ev, o->json))
			return false;
	}
	return true;
}

/* --summary: what this capture alone supports, after the packet lines;
 * with the copy merger's counts (pktmon / etl2pcapng), as on stderr. */
static bool print_summary(const iks_trace *tr, const iks_capture_stats *cst, bool json)
{
	iks_correlation *c = NULL;
	if (iks_diagnose(tr, NULL, &c) != IKS_OK)
		return false;
	const iks_endpoints *e = iks_correlation_endpoints(c);
	char a[IKS_ADDRSTRLEN] = "", b[IKS_ADDRSTRLEN] = "";
	if (e->known) {
		iks_addr_format(&e->a_in_a, a, sizeof(a));
		iks_addr_format(&e->b_in_a, b, sizeof(b));
	}
	if (json) {
		strbuf sb;
		jsonw w;
		sb_init(&sb);
		jw_init(&w, &sb);
		jw_obj_begin(&w);
		jw_key(&w, "summary");
		jw_obj_begin(&w);
		jw_key(&w, "host");
		jw_str(&w, e->known ? a : NULL);
		jw_key(&w, "peer");
		jw_str(&w, e->known ? b : NULL);
		jw_key(&w, "verdicts");
		verdicts_json(&w, c);
		jw_key(&w, "copies_released_early");
		jw_uint(&w, cst->copies_released_early);
		jw_key(&w, "copies_split");
		jw_uint(&w, cst->copies_split);
		jw_obj_end(&w);
		jw_obj_end(&w);
		bool ok = !sb.oom;
		if (ok)
			printf("%s\n", sb_cstr(&sb));
		sb_free(&sb);
		iks_correlation_free(c);
		return ok;
	}
	if (e->known)
		printf("\nsummary: host %s, IPsec peer %s (in = from the peer, out = to it); the finding "
		       "numbers are those of pcapcorrelate %s\n", a, b, "with this capture alone");
	else
		printf("\nsummary: no IPsec traffic in this capture\n");
	if (cst->copies_released_early)
		printf("summary: %llu packets came out before all their copies were read (more than "
		       "%d waiting at once); %llu later copies are frames of their own\n",
		       (unsigned long long)cst->copies_released_early, IKS_COPIES_PENDING,
		       (unsigned long long)cst->copies_split);
	verdicts_text(stdout, c);
	iks_correlation_free(c);
	return true;
}

static bool emit_packet(holdq *q, strbuf *line, const iks_packet *p, const struct options *o)
{
	bool relevant = (p->flags & (IKS_PKT_IPSEC | IKS_PKT_ICMP_ERROR)) != 0;
	if (p->frag.result == IKS_FRAG_COMPLETED)
		holdq_resolve(q, p->frag.datagram_id, p->frame, relevant);
	sb_reset(line);
	if (o->json)
		fmt_packet_json(line, p);
	else
		fmt_packet_text(line, p);
	if (o->lv)
		logview_annotate(o->lv, p, line, o->json);
	if (!o->json && o->verbose)
		fmt_ike_text_tree(line, &p->l.ike);
	sb_putc(line, '\n');
	if (line->oom)
		return false;
	return holdq_add(q, line->s, line->len, p->frag.datagram_id, fmt_needs_datagram(p),
			 relevant);
}

int main(int argc, char **argv)
{
	struct options o;
	if (!parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	char errbuf[IKS_ERRBUF_SIZE];
	iks_capture *cap = iks_capture_open(o.path, o.filter, errbuf);
	if (!cap) {
		fprintf(stderr, "ikedump: %s\n", errbuf);
		return 1;
	}
	if (!o.all_copies && iks_capture_merge_copies(cap, true) != IKS_OK) {
		fprintf(stderr, "ikedump: out of memory\n");
		iks_capture_close(cap);
		return 1;
	}
	if (o.nlogs && !(o.lv = logview_new_capture(o.path, o.filter, o.logs, o.nlogs, errbuf))) {
		fprintf(stderr, "ikedump: %s\n", errbuf);
		iks_capture_close(cap);
		return 1;
	}
	if (o.lv && logview_warning(o.lv))
		fprintf(stderr, "ikedump: %s\n", logview_warning(o.lv));
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	iks_decoder *dec = iks_decoder_new(NULL);
	holdq *q = holdq_new(stdout, HOLD_MAX_LINES, o.all, o.json);
	iks_trace *tr = NULL; /* --summary: the capture's summary, for iks_diagnose */
	iks_keys *keys = NULL;
	strbuf line;
	sb_init(&line);
	int status = 0;
	if (!dec || !q) {
		fprintf(stderr, "ikedump: out of memory\n");
		status = 1;
		goto out;
	}
	if (o.esp_null && iks_decoder_set_esp_null(dec, true) != IKS_OK) {
		fprintf(stderr, "ikedump: out of memory\n");
		status = 1;
		goto out;
	}
	if (o.nkeyfiles) {
		keys = keyfiles_load("ikedump", o.keyfiles, o.nkeyfiles);
		if (!keys) {
			status = 1;
			goto out;
		}
		if (iks_decoder_set_keys(dec, keys) != IKS_OK) {
			fprintf(stderr, "ikedump: out of memory\n");
			status = 1;
			goto out;
		}
	}

	if (o.summary && !(tr = iks_trace_new(NULL)))
		goto oom;
	struct counts n;
	memset(&n, 0, sizeof(n));
	iks_frame f;
	iks_packet p;
	int rc;
	while ((rc = iks_capture_next(cap, &f)) == 1) {
		iks_decode(dec, &f, &p);
		if (!drain_events(dec, q, &line, &o, tr))
			goto oom;
		if (tr && iks_trace_add_packet(tr, &p) == IKS_E_NOMEM)
			goto oom;
		count_packet(&n, &p);
		if (!o.count && !emit_packet(q, &line, &p, &o))
			goto oom;
	}
	iks_decoder_finish(dec);
	if (!drain_events(dec, q, &line, &o, tr))
		goto oom;
	holdq_flush_all(q);
	iks_capture_stats cst;
	iks_capture_get_stats(cap, &cst);
	if (cst.copies_released_early && !o.count) {
		/* the copy merger's cap, after the frames, as a decoder cap's event */
		if (o.json)
			printf("{\"event\":\"limit\",\"limit\":\"copies_pending\",\"value\":%d,"
			       "\"frame\":null,\"count\":%llu,\"copies_split\":%llu}\n",
			       IKS_COPIES_PENDING, (unsigned long long)cst.copies_released_early,
			       (unsigned long long)cst.copies_split);
		else
			printf("!! limit copies_pending (%d) reached: %llu packets came out before all "
			       "their copies were read; %llu later copies are frames of their own\n",
			       IKS_COPIES_PENDING, (unsigned long long)cst.copies_released_early,
			       (unsigned long long)cst.copies_split);
	}
	if (cst.comments_dropped && !o.count) {
		if (o.json)
			printf("{\"event\":\"limit\",\"limit\":\"comment_max\",\"value\":65536,"
			       "\"frame\":null,\"count\":%llu,\"frames\":%llu}\n",
			       (unsigned long long)cst.comments_dropped,
			       (unsigned long long)cst.frames_comments_cut);
		else
			printf("!! limit comment_max (65536) reached: %llu pcapng comments of %llu "
			       "frames were not kept\n", (unsigned long long)cst.comments_dropped,
			       (unsigned long long)cst.frames_comments_cut);
	}
	if (o.lv)
		logview_finish(o.lv, stdout, o.json);
	if (tr && !print_summary(tr, &cst, o.json))
		goto oom;
	if (rc < 0) {
		fflush(stdout);
		fprintf(stderr, "ikedump: %s\n", iks_capture_error(cap));
		status = 1;
	}
	if (o.count) {
		iks_decoder_stats st;
		iks_decoder_get_stats(dec, &st);
		printf("frames %llu ipsec %llu ike %llu esp %llu ah %llu icmp-errors %llu "
		       "fragments %llu datagrams %llu incomplete %llu errors %llu "
		       "limit-hits %llu events-dropped %llu\n",
		       (unsigned long long)n.frames, (unsigned long long)n.ipsec,
		       (unsigned long long)n.ike, (unsigned long long)n.esp, (unsigned long long)n.ah,
		       (unsigned long long)n.icmp_errors, (unsigned long long)n.fragments,
		       (unsigned long long)st.datagrams_completed,
		       (unsigned long long)st.datagrams_incomplete, (unsigned long long)n.errors,
		       (unsigned long long)st.limit_hits, (unsigned long long)st.events_dropped);
	}
	if (!o.count) {
		/* caps hit with no event of their own (key binding, SPI owners, IKE
		 * fragment sets) are said too: never silent */
		iks_decoder_stats st;
		iks_decoder_get_stats(dec, &st);
		if (st.limit_hits)
			fprintf(stderr, "ikedump: %s: a cap of docs/limits.md was reached %llu "
				"time%s (see limit events above, if any; ikedump -c counts them)\n",
				o.path, (unsigned long long)st.limit_hits, st.limit_hits == 1 ? "" : "s");
	}
	if (cst.copies_released_early)
		fprintf(stderr, "ikedump: %s: %llu packets came out before all their copies were read "
			"(more than %d waiting at once); %llu later copies are frames of their own "
			"(--all-copies shows every copy)\n", o.path,
			(unsigned long long)cst.copies_released_early, IKS_COPIES_PENDING,
			(unsigned long long)cst.copies_split);
	if (cst.comments_dropped)
		fprintf(stderr, "ikedump: %s: %llu pcapng comments of %llu frames were not kept "
			"(more than 64 KiB of comments in one frame)\n", o.path,
			(unsigned long long)cst.comments_dropped,
			(unsigned long long)cst.frames_comments_cut);
	if (holdq_forced(q))
		fprintf(stderr, "ikedump: %s: %llu fragment lines were written before their datagram "
			"was known (more than %d lines waiting)\n", o.path,
			(unsigned long long)holdq_forced(q), HOLD_MAX_LINES);
	goto out;
oom:
	fflush(stdout);
	fprintf(stderr, "ikedump: %s: out of memory\n", o.path);
	status = 1;
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ikedump: error writing output\n");
		status = 1;
	}
	sb_free(&line);
	iks_trace_free(tr);
	holdq_free(q);
	logview_free(o.lv);
	iks_decoder_free(dec);
	iks_keys_free(keys);
	iks_capture_close(cap);
	return status;
}
