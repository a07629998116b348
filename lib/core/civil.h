/* civil.h - calendar dates as days since 1970-01-01 (internal), for the
 * readers of dated text and headers (NetMon, Oakley/charon logs, audit
 * events). */
#ifndef IKS_CIVIL_H
#define IKS_CIVIL_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (m 1-12, d 1-31; negative before 1970). */
static inline int64_t civil_days(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)((m + 9) % 12) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

#endif
