/*
 * fuzz_log.c - iks_log_parse_buffer(): an Oakley.log, charon, pluto,
 * FortiGate, racoon or Cisco IOS log held in memory, with small caps so
 * that every cap is reached.
 *
 * Input: byte 0 picks the format (byte % 7: auto-detect, Oakley, charon,
 * pluto, FortiGate, racoon, Cisco)
 * and, when bit 0x80 is set, the rest is parsed a second time as the next
 * file of the set; the rest is the log.
 *
 * Invariants: the status is OK, LIMIT or NOMEM; lines = known + unknown +
 * cut; each record names a file of the set and a line within that file's
 * line count, lines rise within a file, text fits line_max; each message
 * points at a kept record of the same file and line, and that record
 * points back at it when it belongs to a message; a message with dumped
 * bytes returns them, at least an IKE header long, with its digest.
 */
#include "fuzz.h"

#include <string.h>

static uint32_t line_count(const uint8_t *p, size_t n)
{
	uint32_t lines = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\n')
			lines++;
	return lines + 1; /* UTF-16: each '\n' still has a 0x0a byte */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	iks_log_limits lim = { .records_max = 4096, .messages_max = 256, .text_max = 128 * 1024,
			       .line_max = 512, .files_max = 2, .dump_max = 2048 };
	iks_log *log = iks_log_new(data[0] % 7, &lim);
	if (!log)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	uint32_t lines = line_count(p, n);
	int files = data[0] & 0x80 ? 2 : 1;
	for (int f = 0; f < files; f++) {
		iks_status st = iks_log_parse_buffer(log, f ? "b.log" : "a.log", p, n);
		if (st != IKS_OK && st != IKS_E_LIMIT && st != IKS_E_NOMEM && st != IKS_E_INVALID)
			fuzz_fail("iks_log_parse_buffer", "unexpected status");
	}
	iks_log_stats st;
	iks_log_get_stats(log, &st);
	if (st.lines != st.known + st.unknown + st.cut)
		fuzz_fail("iks_log_get_stats", "lines differ from known + unknown + cut");
	size_t nrec = iks_log_nrecords(log), nmsg = iks_log_nmessages(log);
	if (nrec > lim.records_max || nmsg > lim.messages_max)
		fuzz_fail("iks_log", "more records or messages than the caps");
	if (nrec + st.records_dropped > st.lines)
		fuzz_fail("iks_log", "more records than lines");
	uint32_t prev_file = 0, prev_line = 0;
	for (size_t i = 0; i < nrec; i++) {
		const iks_log_record *r = iks_log_record_at(log, i);
		if (!r || r->file >= (uint32_t)files || !iks_log_file_name(log, r->file))
			fuzz_fail("iks_log_record_at", "record of an unknown file");
		if (r->line == 0 || r->line > lines)
			fuzz_fail("iks_log_record_at", "record line outside the file");
		if (r->file < prev_file || (r->file == prev_file && r->line <= prev_line))
			fuzz_fail("iks_log_record_at", "records out of file/line order");
		prev_file = r->file;
		prev_line = r->line;
		if (r->text && strlen(r->text) > lim.line_max)
			fuzz_fail("iks_log_record_at", "record text longer than line_max");
		if (r->msg != IKS_LOG_NONE && r->msg >= nmsg)
			fuzz_fail("iks_log_record_at", "record points past the messages");
		if (!iks_log_kind_name(r->kind))
			fuzz_fail("iks_log_kind_name", "record kind without a name");
	}
	if (iks_log_record_at(log, nrec) || iks_log_message_at(log, nmsg))
		fuzz_fail("iks_log", "an item past the count");
	for (size_t i = 0; i < nmsg; i++) {
		const iks_log_msg *m = iks_log_message_at(log, i);
		if (!m || m->record >= nrec)
			fuzz_fail("iks_log_message_at", "message without its record");
		const iks_log_record *r = iks_log_record_at(log, m->record);
		if (r->file != m->file || r->line != m->line)
			fuzz_fail("iks_log_message_at", "message file/line differ from its record");
		if (r->msg != IKS_LOG_NONE && r->msg != i)
			fuzz_fail("iks_log_message_at", "record points at another message");
		if (m->dir != IKS_LOG_SENT && m->dir != IKS_LOG_RECEIVED)
			fuzz_fail("iks_log_message_at", "message direction neither sent nor received");
		size_t dl = 0;
		const uint8_t *d = iks_log_msg_data(log, m, &dl);
		if ((d != NULL) != m->has_data)
			fuzz_fail("iks_log_msg_data", "bytes and has_data disagree");
		if (d && (dl != m->data_len || dl < 28 || dl > lim.dump_max ||
			  iks_log_digest(d, dl) != m->digest))
			fuzz_fail("iks_log_msg_data", "dumped bytes of the wrong size or digest");
	}
	iks_log_free(log);
	return 0;
}
