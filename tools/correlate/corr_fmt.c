/* corr_fmt.c - small text helpers shared by pcapcorrelate's reports (text,
 * JSON, HTML). */
#include "correlate/corr_report.h"

#include <math.h>
#include <time.h>

const char *corr_clock_text(double t, char *buf, size_t len)
{
	if (t <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	time_t s = (time_t)floor(t);
	struct tm tm;
	char hms[16];
	gmtime_r(&s, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ld", hms, (long)((t - (double)s) * 1e6 + 0.5) % 1000000);
	return buf;
}

const char *corr_exchange_name(int version, unsigned type, char *buf)
{
	const char *n = iks_ike_exchange_name(version, type);
	if (n)
		return n;
	snprintf(buf, 24, "exchange %u", type);
	return buf;
}
