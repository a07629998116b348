/*
 * logtime.h - the time stamps IKE logs print, read from text (internal).
 *
 * One reader for every strftime-like form a daemon may be configured to
 * write: a time of day "HH:MM:SS" with an optional fraction (".mmm",
 * ".uuuuuu", any 1-9 digits), with or without a date before it: "Mon DD"
 * (syslog, charon's "%b %e"), "YYYY-MM-DD" or "YYYY/MM/DD" (ISO, "%F",
 * journald short-iso, RFC 3339 with 'T'), "DD.MM.YYYY", a weekday name,
 * a year after the time ("%c"), and a time zone after it ("Z", "+hh:mm",
 * "+hhmm", "UTC"), which is skipped: the join learns the clock offset.
 */
#ifndef IKS_LOGTIME_H
#define IKS_LOGTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ikescope/log.h>

typedef struct log_time {
	uint16_t year;      /* 0 when not printed */
	uint8_t month, day; /* 0 when not printed */
	uint32_t tod_ms;    /* time of day, milliseconds */
	uint16_t sub_ms_us; /* microseconds after tod_ms (0-999) */
	uint32_t res_us;    /* resolution: 1000000 (whole seconds), 1000 (ms), 1 (us) ... */
} log_time;

/* Read the whole of text[0..len) as a time stamp (leading and trailing
 * blanks allowed). Returns false when it is not one (no time of day, or
 * words that are not date parts). */
bool log_time_parse(const uint8_t *text, size_t len, log_time *t);

/* Put a parsed time stamp on a log record (has_time, date, time of day,
 * resolution). */
void log_time_to_record(const log_time *t, iks_log_record *rec);

/* Read a time stamp at the start of text: the longest prefix that is one,
 * ending at a blank or at `stop` (e.g. ':' for pluto's "TIME: "). Returns
 * the number of bytes used (0 when there is none). */
size_t log_time_prefix(const uint8_t *text, size_t len, uint8_t stop, log_time *t);

/* A daemon's own log line start, "TIME: " (its log file), or the syslog
 * form "TIME HOST DAEMON[PID]: " (DAEMON e.g. "pluto", "racoon"). Returns
 * the offset of the text after it, 0 when the line does not start so. */
size_t log_daemon_prefix(const uint8_t *line, size_t len, const char *daemon, log_time *t);

#endif
