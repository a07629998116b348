/*
 * pcapcorrelate - two captures of one path, side by side: clock offset,
 * NAT, every IKE negotiation followed across both ends, and what was lost
 * where. See docs/pcapcorrelate.1.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* mallopt */
#endif

#include <ikescope/ikescope.h>

#include "correlate/corr_html.h"
#include "correlate/corr_load.h"
#include "correlate/corr_lost.h"
#include "correlate/corr_report.h"
#include "correlate/corr_path_report.h"
#include "correlate/corr_pcapng.h"
#include "common/keyfiles.h"

static void usage(FILE *f)
{
	fputs("usage: pcapcorrelate [options] A.pcap B.pcap\n"
	      "       pcapcorrelate [options] A.pcap P2.pcap ... B.pcap\n"
	      "       pcapcorrelate [options] A.pcap\n"
	      "Correlate two captures of the same IPsec path (one at each end); with more,\n"
	      "captured at points along the path in order from a to b, name the hop that\n"
	      "lost or changed each packet; with one capture, say what it proves alone and\n"
	      "what the peer's capture would add.\n"
	      "\n"
	      "  -j, --json              one JSON document (contract in docs/json.md)\n"
	      "  -w, --write-lost FILE   write exactly what did not arrive (each lost packet or\n"
	      "                          fragment once, from its sender's capture) to a pcap file\n"
	      "                          (pcapng when the captures' link types differ)\n"
	      "      --html FILE         a ladder diagram of both ends (of every point) in one\n"
	      "                          HTML file\n"
	      "      --pcapng FILE       every frame of both captures in one pcapng for Wireshark:\n"
	      "                          one interface per end (per point), times on a's (P1's)\n"
	      "                          clock, each frame's fate (and hop) in its comment\n"
	      "                          (frame.comment contains \"LOST\")\n"
	      "      --log-a FILE        host a's IKE log (Oakley.log, charon, pluto, FortiGate,\n"
	      "                          racoon or Cisco IOS debug; docs/logs.md); repeat for\n"
	      "                          the files of an Oakley.log rotation set\n"
	      "      --log-b FILE        the same for host b\n"
	      "      --events-a FILE     host a's IPsec audit events (541/542/543/547, text or CSV\n"
	      "                          export of the Security log)\n"
	      "      --events-b FILE     the same for host b (with more than two captures, a is\n"
	      "                          the first point's host, b the last's)\n"
	      "      --events-offset-a S capture a's clock minus the event times, in seconds\n"
	      "                          (default: learned from the 541 SPIs)\n"
	      "      --events-offset-b S the same for host b\n"
	      "  -k, --keys FILE         keys to decrypt IKE and verify ESP/AH with (the formats\n"
	      "                          of ikedump -k, incl. a strongSwan charon log); repeatable;\n"
	      "                          adds error notifications and deleted SAs still in use\n"
	      "      --units-max N       keep at most N packets of each capture (default 16,000,000);\n"
	      "                          past it the report covers the start and says so\n"
	      "      --engine NAME       whole (default) or compact: fold matched ESP/AH into counts\n"
	      "                          (a developer check: the report must not change; stderr\n"
	      "                          says how many pairs were folded)\n"
	      "  -h, --help              this text\n"
	      "  -V, --version           version\n"
	      "\n"
	      "Exit status: 0 analysed, 1 input unusable, 2 usage.\n",
	      f);
}

/* The library's defaults, with a thread per core (the steps that split run
 * each capture's or each direction's half at once). */
static void correlate_options(iks_correlate_options *o)
{
	iks_correlate_options_default(o);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->threads = cores > 1 ? (uint32_t)(cores < 16 ? cores : 16) : 1;
}

/* More than two points: the hops, in path order, or an error naming the
 * order the captures show. */
static int path_main(const char *const *paths, const corr_input *in, iks_trace *const *t, size_t n,
		     bool json, const char *lost_out, const char *html_out, const char *pcapng_out)
{
	iks_path *p = NULL;
	iks_correlate_options copt;
	correlate_options(&copt);
	iks_status st = iks_correlate_points((const iks_trace *const *)t, n, &copt, &p);
	if (st != IKS_OK) {
		fprintf(stderr, "pcapcorrelate: %s\n", iks_strerror(st));
		return 1;
	}
	const size_t *order;
	if (!iks_path_order(p, &order)) {
		fprintf(stderr, "pcapcorrelate: the captures are not in path order from end a to end b: "
				"by their TTLs and timing the order is");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s", paths[order[i]]);
		fprintf(stderr, " (given as P%zu", order[0] + 1);
		for (size_t i = 1; i < n; i++)
			fprintf(stderr, " P%zu", order[i] + 1);
		fprintf(stderr, ")\n");
		iks_path_free(p);
		return 1;
	}
	for (size_t h = 0; h + 1 < n; h++) {
		const iks_endpoints *e = iks_correlation_endpoints(iks_path_hop_correlation(p, h));
		if (e->same_capture) {
			fprintf(stderr, "pcapcorrelate: %s and %s (P%zu and P%zu) hold the same packets at "
				"the same instants: one capture given twice, not two points of the path\n",
				paths[h], paths[h + 1], h + 1, h + 2);
			iks_path_free(p);
			return 1;
		}
		if (!e->known) {
			fprintf(stderr, "pcapcorrelate: %s and %s (hop %zu) share no IPsec endpoint: they "
				"are not two points of one path\n", paths[h], paths[h + 1], h);
			iks_path_free(p);
			return 1;
		}
	}
	/* the ends' logs: what they prove joins the end-to-end verdicts */
	for (int end = 0; end < 2; end++) {
		const logview *lv = in[end ? n - 1 : 0].log;
		if (!lv)
			continue;
		st = iks_path_use_log(p, end, logview_log(lv), logview_join(lv));
		if (st != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: %s\n", iks_strerror(st));
			iks_path_free(p);
			return 1;
		}
	}
	if (json)
		corr_path_json(stdout, in, n, p);
	else
		corr_path_text(stdout, in, n, p);
	int status = 0;
	if (lost_out) {
		const iks_correlation *hops[CORR_POINTS_MAX];
		for (size_t h = 0; h + 1 < n; h++)
			hops[h] = iks_path_hop_correlation(p, h);
		status = corr_write_lost_path(lost_out, paths, n, hops);
	}
	if (html_out && corr_path_html(html_out, in, n, p) != 0)
		status = 1;
	if (pcapng_out && corr_write_pcapng_path(pcapng_out, paths, n, p) != 0)
		status = 1;
	iks_path_free(p);
	return status;
}

/* The correlation's steps each allocate and free arrays of a record per
 * packet in turn. glibc gives blocks over its mmap threshold (at most
 * 32 MB) back to the kernel at each free, and the next step's array is then
 * faulted in again page by page: at 2x4M packets that was 4.3 s of system
 * time in 14 s of CPU. Keeping blocks up to 256 MB in the heap for reuse
 * halves it, for some 14% more peak memory. */
static void keep_freed_memory(void)
{
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char **argv)
{
	keep_freed_memory();
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "write-lost", required_argument, NULL, 'w' },
		{ "log-a", required_argument, NULL, 'A' },
		{ "log-b", required_argument, NULL, 'B' },
		{ "html", required_argument, NULL, 'H' },
		{ "pcapng", required_argument, NULL, 'G' },
		{ "events-a", required_argument, NULL, 'E' },
		{ "events-b", required_argument, NULL, 'F' },
		{ "events-offset-a", required_argument, NULL, 'O' },
		{ "events-offset-b", required_argument, NULL, 'P' },
		{ "keys", required_argument, NULL, 'k' },
		{ "units-max", required_argument, NULL, 'U' },
		{ "engine", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	bool compact = false;
	iks_trace_limits lim;
	memset(&lim, 0, sizeof(lim)); /* zero fields: the library's defaults */
	const char *lost_out = NULL;
	const char *html_out = NULL;
	const char *pcapng_out = NULL;
	enum { MAX_LOG_FILES = 16 };
	const char *logs[2][MAX_LOG_FILES];
	size_t nlogs[2] = { 0, 0 };
	const char *events[2] = { NULL, NULL };
	bool ev_has_off[2] = { false, false };
	double ev_off[2] = { 0, 0 };
	enum { MAX_KEY_FILES = 16 };
	const char *keyfiles[MAX_KEY_FILES];
	size_t nkeyfiles = 0;
	int c;
	while ((c = getopt_long(argc, argv, "jw:k:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'w': lost_out = optarg; break;
		case 'H': html_out = optarg; break;
		case 'G': pcapng_out = optarg; break;
		case 'A':
		case 'B': {
			int s = c == 'A' ? 0 : 1;
			if (nlogs[s] == MAX_LOG_FILES) {
				fprintf(stderr, "pcapcorrelate: at most %d log files per host\n", MAX_LOG_FILES);
				return 2;
			}
			logs[s][nlogs[s]++] = optarg;
			break;
		}
		case 'U': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end || v == 0 || v > UINT32_MAX) {
				fprintf(stderr, "pcapcorrelate: --units-max: not a count: %s\n", optarg);
				return 2;
			}
			lim.units_max = (uint32_t)v;
			break;
		}
		case 'N':
			if (strcmp(optarg, "whole") && strcmp(optarg, "compact")) {
				fprintf(stderr, "pcapcorrelate: --engine: whole or compact, not %s\n",
					optarg);
				return 2;
			}
			compact = !strcmp(optarg, "compact");
			break;
		case 'k':
			if (nkeyfiles == MAX_KEY_FILES) {
				fprintf(stderr, "pcapcorrelate: at most %d key files\n", MAX_KEY_FILES);
				return 2;
			}
			keyfiles[nkeyfiles++] = optarg;
			break;
		case 'E': events[0] = optarg; break;
		case 'F': events[1] = optarg; break;
		case 'O':
		case 'P': {
			char *end;
			int s = c == 'O' ? 0 : 1;
			ev_off[s] = strtod(optarg, &end);
			if (end == optarg || *end) {
				fprintf(stderr, "pcapcorrelate: --events-offset: not a number: %s\n", optarg);
				return 2;
			}
			ev_has_off[s] = true;
			break;
		}
		case 'h': usage(stdout); return 0;
		case 'V': printf("pcapcorrelate (ikescope) %s\n", iks_version()); return 0;
		default: usage(stderr); return 2;
		}
	}
	int nfiles = argc - optind;
	if (nfiles > CORR_POINTS_MAX) {
		fprintf(stderr, "pcapcorrelate: %d captures given: at most %d points along one path\n",
			nfiles, CORR_POINTS_MAX);
		return 2;
	}
	if (nfiles < 1) {
		usage(stderr);
		return 2;
	}
	if (nfiles == 1 && (lost_out || html_out || nlogs[1] || events[1])) {
		fprintf(stderr, "pcapcorrelate: with one capture, --write-lost, --html, --log-b and "
				"--events-b do not apply\n");
		return 2;
	}
	const char *paths[CORR_POINTS_MAX];
	corr_input in[CORR_POINTS_MAX];
	char warn[CORR_POINTS_MAX][IKS_ERRBUF_SIZE];
	iks_trace *t[CORR_POINTS_MAX];
	memset(in, 0, sizeof(in));
	for (int s = 0; s < CORR_POINTS_MAX; s++) {
		paths[s] = s < nfiles ? argv[optind + s] : NULL;
		t[s] = NULL;
	}
	int status = 0;
	iks_keys *keys = NULL;
	if (nkeyfiles && !(keys = keyfiles_load("pcapcorrelate", keyfiles, nkeyfiles))) {
		status = 1;
		goto out;
	}
	/* the captures decoded at once (one thread per core); what each load
	 * says is reported below, in order */
	corr_load_job jobs[CORR_POINTS_MAX];
	memset(jobs, 0, sizeof(jobs));
	for (int s = 0; s < nfiles; s++)
		jobs[s].path = paths[s];
	corr_load_traces(jobs, (size_t)nfiles, &lim, keys, 0);
	for (int s = 0; s < nfiles; s++)
		t[s] = jobs[s].trace;
	for (int s = 0; s < nfiles; s++) {
		const char *err = jobs[s].err;
		iks_status st = jobs[s].status;
		in[s].path = paths[s];
		if (!t[s]) {
			fprintf(stderr, "pcapcorrelate: %s\n",
				st == IKS_E_NOMEM ? "out of memory" : err);
			status = 1;
			goto out;
		}
		if (st != IKS_OK) {
			/* a cut file is still worth analysing: say so and go on */
			snprintf(warn[s], sizeof(warn[s]), "%s (analysed up to there)", err);
			in[s].warning = warn[s];
			fprintf(stderr, "pcapcorrelate: warning: %s\n", warn[s]);
		}
		iks_trace_get_info(t[s], &in[s].info);
		const iks_trace_info *ti = &in[s].info;
		if (ti->dropped && !in[s].warning) {
			/* a cap reached while loading: the report covers what was kept */
			/* which cap: --units-max, or frame numbers past 32 bits */
			bool frames_cap = ti->frames > UINT32_MAX;
			if (ti->frames_dropped)
				snprintf(warn[s], sizeof(warn[s]), "%s: %llu frames past the trace's cap "
					 "(%s) were not kept, or not all of what they carry: the report "
					 "covers the capture up to there", paths[s],
					 (unsigned long long)ti->frames_dropped,
					 frames_cap ? "frame numbers past 4,294,967,295 are not kept"
						    : "--units-max");
			else
				snprintf(warn[s], sizeof(warn[s]), "%s: %llu datagrams that never "
					 "completed were not kept (--units-max)", paths[s],
					 (unsigned long long)ti->dropped);
			in[s].warning = warn[s];
			fprintf(stderr, "pcapcorrelate: warning: %s\n", warn[s]);
		}
		/* on stderr only: the report has each as a limit finding */
		if (ti->addresses_merged)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: more than 65,535 distinct addresses: %llu "
				"addresses of later packets were taken as the last one kept\n",
				paths[s], (unsigned long long)ti->addresses_merged);
		if (ti->pending_overwritten)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu fragmented datagrams lost their first "
				"fragment's frame, time and TTL (more than 65,536 datagrams started while "
				"they were under reassembly)\n",
				paths[s], (unsigned long long)ti->pending_overwritten);
		if (ti->copies_released_early)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu packets came out before all their "
				"copies were read (more than %d waiting at once); %llu later copies "
				"became packets of their own\n",
				paths[s], (unsigned long long)ti->copies_released_early,
				IKS_COPIES_PENDING, (unsigned long long)ti->copies_split);
		if (ti->host_drops_unlisted)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu packets dropped inside the capturing "
				"host (epb_verdict) past the 100,000 listed: counted, not grouped by "
				"verdict and component\n",
				paths[s], (unsigned long long)ti->host_drops_unlisted);
		if (ti->ike_frags_unmarked)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu IKE fragments too far before the end "
				"of their message were not marked as read with it\n",
				paths[s], (unsigned long long)ti->ike_frags_unmarked);
		if (ti->host_drop_names_lost)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu packets dropped inside the capturing "
				"host by components past the 64 names kept: their component is not "
				"named\n",
				paths[s], (unsigned long long)ti->host_drop_names_lost);
		if (ti->comments_dropped)
			fprintf(stderr,
				"pcapcorrelate: warning: %s: %llu pcapng comments were not kept (more "
				"than 64 KiB of comments in one frame)\n",
				paths[s], (unsigned long long)ti->comments_dropped);
		if (in[s].info.frames == 0) {
			fprintf(stderr, "pcapcorrelate: %s: the capture holds no frames\n", paths[s]);
			status = 1;
			goto out;
		}
	}
	/* the logs and audit events are the ends': a is P1, b the last point */
	for (int side = 0; side < 2 && side < nfiles; side++) {
		int s = side ? nfiles - 1 : 0;
		if (nlogs[side]) {
			char lerr[IKS_ERRBUF_SIZE] = "";
			in[s].log = logview_new(t[s], logs[side], nlogs[side], lerr);
			if (!in[s].log) {
				fprintf(stderr, "pcapcorrelate: %s\n", lerr);
				status = 1;
				goto out;
			}
			if (logview_warning(in[s].log))
				fprintf(stderr, "pcapcorrelate: warning: %s\n", logview_warning(in[s].log));
		}
		if (events[side]) {
			char eerr[IKS_ERRBUF_SIZE] = "";
			in[s].events = corr_events_new(events[side], t[s], ev_has_off[side], ev_off[side],
							in[s].log, eerr);
			if (!in[s].events) {
				fprintf(stderr, "pcapcorrelate: %s\n", eerr);
				status = 1;
				goto out;
			}
			if (corr_events_warning(in[s].events))
				fprintf(stderr, "pcapcorrelate: warning: %s\n", corr_events_warning(in[s].events));
		}
	}
	iks_correlation *corr = NULL;
	if (nfiles == 1) {
		iks_status st = iks_diagnose(t[0], NULL, &corr);
		if (st != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: %s\n", iks_strerror(st));
			status = 1;
			goto out;
		}
		if (json)
			corr_report_json(stdout, in, corr);
		else
			corr_report_one_text(stdout, in, corr);
		iks_correlation_free(corr);
		goto out;
	}
	if (nfiles > 2) {
		status = path_main(paths, in, t, (size_t)nfiles, json, lost_out, html_out,
				   pcapng_out);
		goto out;
	}
	iks_correlate_options copt;
	correlate_options(&copt);
	copt.no_frame_fates = !pcapng_out; /* only the annotated pcapng asks for them */
	copt.compact = compact;
	iks_status st = iks_correlate(t[0], t[1], &copt, &corr);
	if (st != IKS_OK) {
		fprintf(stderr, "pcapcorrelate: %s\n", iks_strerror(st));
		status = 1;
		goto out;
	}
	if (compact) {
		iks_correlation_stats cs;
		iks_correlation_get_stats(corr, &cs);
		fprintf(stderr, "pcapcorrelate: compact engine: %llu pairs folded a->b, %llu b->a\n",
			(unsigned long long)cs.folded_ab, (unsigned long long)cs.folded_ba);
	}
	const iks_endpoints *e = iks_correlation_endpoints(corr);
	/* exit 1 only when the captures share no IPsec endpoint at all: when
	 * nothing crossed, each end is still analysed */
	if (!e->known && !e->same_capture) {
		if (iks_correlation_clock(corr)->matches)
			fprintf(stderr, "pcapcorrelate: %s and %s share %llu packets, but which end sent "
				"them cannot be told (equal TTLs and traffic one way only)\n", paths[0],
				paths[1], (unsigned long long)iks_correlation_clock(corr)->matches);
		else
			fprintf(stderr, "pcapcorrelate: %s and %s have no packet and no IPsec endpoint in "
				"common: they are not the two ends of one path\n", paths[0], paths[1]);
		iks_correlation_free(corr);
		status = 1;
		goto out;
	}
	/* what the hosts' logs prove joins the verdicts */
	for (int s = 0; s < 2; s++) {
		if (!in[s].log)
			continue;
		st = iks_correlation_use_log(corr, s, logview_log(in[s].log), logview_join(in[s].log));
		if (st != IKS_OK) {
			fprintf(stderr, "pcapcorrelate: %s\n", iks_strerror(st));
			iks_correlation_free(corr);
			status = 1;
			goto out;
		}
	}
	if (json)
		corr_report_json(stdout, in, corr);
	else
		corr_report_text(stdout, in, corr);
	if (lost_out)
		status = corr_write_lost(lost_out, paths, corr);
	if (html_out && corr_report_html(html_out, in, corr) != 0)
		status = 1;
	if (pcapng_out && corr_write_pcapng(pcapng_out, paths, corr) != 0)
		status = 1;
	iks_correlation_free(corr);
out:
	for (int s = 0; s < nfiles; s++)
		iks_trace_free(t[s]);
	for (int s = 0; s < nfiles; s++) {
		logview_free(in[s].log);
		corr_events_free(in[s].events);
	}
	iks_keys_free(keys);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pcapcorrelate: error writing output\n");
		status = 1;
	}
	return status;
}
