/* timefmt.c: see timefmt.h. Grammar per slurm.md section 1.4. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timefmt.h"
#include "xalloc.h"

/* Fields are not range-checked (1:60:15 is valid) but must not overflow. */
#define FIELD_MAX_DIGITS 9
#define YEAR_SECS (365LL * 24 * 3600)

static bool is_infinite_word(const char *s)
{
	return strcmp(s, "-1") == 0 || strcasecmp(s, "INFINITE") == 0 ||
	       strcasecmp(s, "UNLIMITED") == 0;
}

/*
 * Split "D-H:M:S" style text into numeric fields. Returns the number of
 * ':'-separated fields (1-3) after the optional "D-" part, or -1 when the
 * text is not a valid time (space, sign, empty field, stray character).
 */
static int split_fields(const char *s, long long *days, bool *has_days, long long f[3])
{
	const char *p = s;
	int n = 0;

	*has_days = false;
	*days = 0;
	for (;;) {
		long long v = 0;
		int nd = 0;

		while (isdigit((unsigned char)*p)) {
			if (++nd > FIELD_MAX_DIGITS)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		if (nd == 0)
			return -1;
		if (*p == '-') {
			if (*has_days || n > 0)
				return -1;
			*has_days = true;
			*days = v;
			p++;
			continue;
		}
		if (n == 3)
			return -1;
		f[n++] = v;
		if (*p == '\0')
			return n;
		if (*p != ':')
			return -1;
		p++;
	}
}

int time_str2secs(const char *s, int64_t *secs, struct sky_errbuf *eb)
{
	long long days, f[3], t;
	bool has_days;
	int n;

	if (!s || !*s)
		return sky_err_set(eb, SKY_E_INVAL, "invalid time specification '%s'", s ? s : "");
	if (is_infinite_word(s)) {
		*secs = -1;
		return 0;
	}
	n = split_fields(s, &days, &has_days, f);
	if (n < 0)
		return sky_err_set(eb, SKY_E_INVAL, "invalid time specification '%s'", s);
	if (has_days) {
		/* D-H, D-H:M, D-H:M:S */
		t = days * 86400 + f[0] * 3600;
		if (n >= 2)
			t += f[1] * 60;
		if (n == 3)
			t += f[2];
	} else if (n == 1) {
		t = f[0] * 60;                          /* M */
	} else if (n == 2) {
		t = f[0] * 60 + f[1];                   /* M:S */
	} else {
		t = f[0] * 3600 + f[1] * 60 + f[2];     /* H:M:S */
	}
	*secs = t;
	return 0;
}

int time_str2mins(const char *s, uint32_t *mins, struct sky_errbuf *eb)
{
	int64_t secs;
	int rc = time_str2secs(s, &secs, eb);

	if (rc)
		return rc;
	if (secs < 0) {
		*mins = SKY_INFINITE;
		return 0;
	}
	secs = (secs + 59) / 60;
	if (secs >= (int64_t)SKY_NO_VAL)
		return sky_err_set(eb, SKY_E_INVAL, "time specification '%s' is too large", s);
	*mins = (uint32_t)secs;
	return 0;
}

static char *fmt_secs(int64_t secs, char *buf, size_t len)
{
	long long d = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60, sec = secs % 60;

	if (d)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", d, h, m, sec);
	else if (h)
		snprintf(buf, len, "%lld:%02lld:%02lld", h, m, sec);
	else
		snprintf(buf, len, "%lld:%02lld", m, sec);
	return buf;
}

char *secs2time_str(int64_t secs, char *buf, size_t len)
{
	if (secs < 0 || secs > YEAR_SECS) {
		snprintf(buf, len, "INVALID");
		return buf;
	}
	return fmt_secs(secs, buf, len);
}

char *mins2time_str(uint32_t mins, char *buf, size_t len)
{
	if (mins == SKY_INFINITE)
		snprintf(buf, len, "UNLIMITED");
	else if (mins == SKY_NO_VAL)
		snprintf(buf, len, "NOT_SET");
	else
		fmt_secs((int64_t)mins * 60, buf, len);  /* limits may exceed a year */
	return buf;
}

char *secs2time_str_padded(int64_t secs, char *buf, size_t len)
{
	int64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, sec = secs % 60;

	if (secs < 0)
		snprintf(buf, len, "INVALID");
	else if (d)
		snprintf(buf, len, "%lld-%02lld:%02lld:%02lld", (long long)d, (long long)h,
			 (long long)m, (long long)sec);
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)h, (long long)m, (long long)sec);
	return buf;
}

char *mins2time_str_padded(uint32_t mins, char *buf, size_t len)
{
	if (mins == SKY_INFINITE)
		snprintf(buf, len, "UNLIMITED");
	else if (mins == SKY_NO_VAL)
		snprintf(buf, len, "NOT_SET");
	else
		secs2time_str_padded((int64_t)mins * 60, buf, len);
	return buf;
}

/* ---- --begin / --deadline ---------------------------------------------- */

/* What the parsed pieces of a time specification set; -1 = not given. */
struct tspec {
	int hour, minute, second;
	int month, mday, year;          /* month 0-11, year since 1900 */
};

static void set_date_from(struct tspec *ts, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	ts->month = tm.tm_mon;
	ts->mday = tm.tm_mday;
	ts->year = tm.tm_year;
}

static int two_digits(const char *s, size_t *pos, int *v, bool optional_second)
{
	if (!isdigit((unsigned char)s[*pos]))
		return -1;
	*v = s[(*pos)++] - '0';
	if (isdigit((unsigned char)s[*pos])) {
		*v = *v * 10 + (s[(*pos)++] - '0');
	} else if (!optional_second) {
		return -1;
	}
	return 0;
}

/* HH:MM[:SS] [AM|PM] at *pos. */
static int get_clock(const char *s, size_t *pos, struct tspec *ts)
{
	int h, m, sec = 0;
	size_t p = *pos;

	if (two_digits(s, &p, &h, false) || s[p++] != ':' || two_digits(s, &p, &m, false))
		return -1;
	if (s[p] == ':') {
		p++;
		if (two_digits(s, &p, &sec, false))
			return -1;
	}
	if (m > 59 || sec > 59)
		return -1;
	{
		size_t q = p;
		while (s[q] == ' ')
			q++;
		if (strncasecmp(s + q, "am", 2) == 0 || strncasecmp(s + q, "pm", 2) == 0) {
			bool pm = tolower((unsigned char)s[q]) == 'p';
			if (h < 1 || h > 12)
				return -1;
			h = (h % 12) + (pm ? 12 : 0);
			p = q + 2;
		} else if (h > 23) {
			return -1;
		}
	}
	ts->hour = h;
	ts->minute = m;
	ts->second = sec;
	*pos = p;
	return 0;
}

static bool valid_mday(int mon, int mday)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return mon >= 0 && mon < 12 && mday >= 1 && mday <= mdays[mon];
}

/* YYYY-MM-DD, MMDD[YY], MM/DD[/YY], MM.DD[.YY] at *pos. */
static int get_date(const char *s, size_t *pos, struct tspec *ts)
{
	size_t p = *pos;
	int mon, day, year = -1;

	if (isdigit((unsigned char)s[p]) && isdigit((unsigned char)s[p + 1]) &&
	    isdigit((unsigned char)s[p + 2]) && isdigit((unsigned char)s[p + 3]) && s[p + 4] == '-') {
		year = atoi(s + p);
		p += 5;
		if (two_digits(s, &p, &mon, false) || s[p++] != '-' ||
		    two_digits(s, &p, &day, false))
			return -1;
		year -= 1900;
		if (year < 70)
			return -1;
	} else {
		char sep;
		if (two_digits(s, &p, &mon, true))
			return -1;
		sep = s[p];
		if (sep == '/' || sep == '.')
			p++;
		if (two_digits(s, &p, &day, true))
			return -1;
		if ((sep == '/' || sep == '.') && s[p] == sep) {
			p++;
			if (two_digits(s, &p, &year, false))
				return -1;
			year += 100;
		} else if (sep != '/' && sep != '.' && isdigit((unsigned char)s[p])) {
			if (two_digits(s, &p, &year, false))
				return -1;
			year += 100;
		}
	}
	if (!valid_mday(mon - 1, day))
		return -1;
	ts->month = mon - 1;
	ts->mday = day;
	ts->year = year;
	*pos = p;
	return 0;
}

/* "+count[unit]" after "now", at *pos (just past the '+'). */
static int get_delta(const char *s, size_t *pos, long long *delta)
{
	static const struct { const char *name; long long mult; } units[] = {
		{ "seconds", 1 }, { "second", 1 }, { "minutes", 60 }, { "minute", 60 },
		{ "hours", 3600 }, { "hour", 3600 }, { "days", 86400 }, { "day", 86400 },
		{ "weeks", 604800 }, { "week", 604800 },
	};
	size_t p = *pos;
	long long cnt = 0;
	int nd = 0;

	while (isdigit((unsigned char)s[p])) {
		if (++nd > FIELD_MAX_DIGITS)
			return -1;
		cnt = cnt * 10 + (s[p++] - '0');
	}
	if (nd == 0)
		return -1;
	*delta = cnt;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].name);
		if (strncasecmp(s + p, units[i].name, l) == 0) {
			*delta = cnt * units[i].mult;
			p += l;
			break;
		}
	}
	*pos = p;
	return 0;
}

/* A keyword at *pos: sets ts and advances. 1 = matched, 0 = none, -1 = bad. */
static int get_keyword(const char *s, size_t *pos, time_t now, struct tspec *ts)
{
	static const struct { const char *name; int hour; } clock_words[] = {
		{ "midnight", 0 }, { "noon", 12 }, { "elevenses", 11 }, { "fika", 15 },
		{ "teatime", 16 },
	};
	const char *p = s + *pos;

	if (strncasecmp(p, "today", 5) == 0) {
		set_date_from(ts, now);
		*pos += 5;
		return 1;
	}
	if (strncasecmp(p, "tomorrow", 8) == 0) {
		set_date_from(ts, now + 86400);
		*pos += 8;
		return 1;
	}
	for (size_t i = 0; i < sizeof(clock_words) / sizeof(clock_words[0]); i++) {
		size_t l = strlen(clock_words[i].name);
		if (strncasecmp(p, clock_words[i].name, l) == 0) {
			ts->hour = clock_words[i].hour;
			ts->minute = ts->second = 0;
			*pos += l;
			return 1;
		}
	}
	if (strncasecmp(p, "now", 3) == 0) {
		long long delta = 0;
		struct tm tm;
		time_t later;

		*pos += 3;
		if (s[*pos] == '+') {
			(*pos)++;
			if (get_delta(s, pos, &delta))
				return -1;
		}
		later = now + (time_t)delta;
		localtime_r(&later, &tm);
		ts->hour = tm.tm_hour;
		ts->minute = tm.tm_min;
		ts->second = tm.tm_sec;
		ts->month = tm.tm_mon;
		ts->mday = tm.tm_mday;
		ts->year = tm.tm_year;
		return 1;
	}
	return 0;
}

/* Fill what the specification left open: the soonest matching moment. */
static void complete_spec(struct tspec *ts, const struct tm *n)
{
	if (ts->hour == -1) {
		ts->hour = ts->minute = ts->second = 0;     /* a date alone: its midnight */
	} else if (ts->month == -1) {
		bool later_today = ts->hour > n->tm_hour ||
				   (ts->hour == n->tm_hour && ts->minute > n->tm_min);
		struct tm t = *n;
		if (!later_today) {
			t.tm_mday++;
			t.tm_isdst = -1;
			mktime(&t);
		}
		ts->month = t.tm_mon;
		ts->mday = t.tm_mday;
		ts->year = t.tm_year;
	}
	if (ts->year == -1) {
		bool this_year = ts->month > n->tm_mon ||
			(ts->month == n->tm_mon && ts->mday > n->tm_mday) ||
			(ts->month == n->tm_mon && ts->mday == n->tm_mday &&
			 (ts->hour > n->tm_hour || (ts->hour == n->tm_hour && ts->minute > n->tm_min)));
		ts->year = n->tm_year + (this_year ? 0 : 1);
	}
}

int parse_time_spec(const char *s, time_t now, time_t *out, struct sky_errbuf *eb)
{
	struct tspec ts = { -1, -1, 0, -1, -1, -1 };
	struct tm nowtm, res;
	size_t pos = 0;
	time_t t;

	if (!s)
		s = "";
	while (s[pos] && s[pos] != '\n') {
		int k;

		/* Keywords first: "Today" must not lose its T to the date separator. */
		if ((k = get_keyword(s, &pos, now, &ts)) < 0)
			goto bad;
		if (k)
			continue;
		if (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '-' || s[pos] == 'T') {
			pos++;
			continue;
		}
		if (!isdigit((unsigned char)s[pos]))
			goto bad;
		if (s[pos + 1] && s[pos + 2] == ':') {
			if (get_clock(s, &pos, &ts))
				goto bad;
		} else if (get_date(s, &pos, &ts)) {
			goto bad;
		}
	}
	if (ts.hour == -1 && ts.month == -1)
		goto bad;
	localtime_r(&now, &nowtm);
	complete_spec(&ts, &nowtm);
	memset(&res, 0, sizeof(res));
	res.tm_sec = ts.second;
	res.tm_min = ts.minute;
	res.tm_hour = ts.hour;
	res.tm_mday = ts.mday;
	res.tm_mon = ts.month;
	res.tm_year = ts.year;
	res.tm_isdst = -1;
	t = mktime(&res);
	if (t == (time_t)-1)
		goto bad;
	*out = t;
	return 0;
bad:
	return sky_err_set(eb, SKY_E_INVAL, "invalid time specification '%s'", s);
}

/* Calendar days from a to b in local time (DST-safe: compares local noons). */
static long day_diff(time_t a, time_t b)
{
	struct tm ta, tb;

	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	ta.tm_hour = tb.tm_hour = 12;
	ta.tm_min = tb.tm_min = ta.tm_sec = tb.tm_sec = 0;
	ta.tm_isdst = tb.tm_isdst = -1;
	{
		long long d = (long long)(mktime(&tb) - mktime(&ta));
		/* A DST change leaves the noons 23 or 25 hours apart: round. */
		return (long)((d >= 0 ? d + 43200 : d - 43200) / 86400);
	}
}

/* Slurm's "relative" SLURM_TIME_FORMAT: nearer times get shorter forms. */
static const char *relative_fmt(time_t t)
{
	long days = day_diff(time(NULL), t);

	if (days == 0)
		return "%H:%M:%S";
	if (days == -1)
		return "Ystday %H:%M";
	if (days == 1)
		return "Tomorr %H:%M";
	if (days > -7 && days < 7)
		return "%a %H:%M";
	if (days > -365 && days < 365)
		return "%-d %b %H:%M";
	return "%-d %b %Y";
}

char *timestamp_str(time_t t, char *buf, size_t len)
{
	const char *env = getenv("SLURM_TIME_FORMAT");
	const char *fmt = "%Y-%m-%dT%H:%M:%S";
	struct tm tm;

	if (len == 0)
		return buf;
	if (t == 0) {
		snprintf(buf, len, "Unknown");
		return buf;
	}
	if (env && strcmp(env, "relative") == 0)
		fmt = relative_fmt(t);
	else if (env && strcmp(env, "standard") != 0 && strchr(env, '%'))
		fmt = env;
	localtime_r(&t, &tm);
	if (strftime(buf, len, fmt, &tm) == 0)
		buf[0] = '\0';
	return buf;
}

int mem_str2mb(const char *s, uint64_t *mb, struct sky_errbuf *eb)
{
	const char *p = s;
	uint64_t v = 0, kib_mult = 1024;  /* in KiB, so K can round up */
	int nd = 0;

	if (!s)
		goto bad;
	while (isdigit((unsigned char)*p)) {
		if (++nd > 15)
			goto bad;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (nd == 0)
		goto bad;
	switch (toupper((unsigned char)*p)) {
	case '\0': break;
	case 'K': kib_mult = 1; p++; break;
	case 'M': p++; break;
	case 'G': kib_mult = 1024ull * 1024; p++; break;
	case 'T': kib_mult = 1024ull * 1024 * 1024; p++; break;
	default: goto bad;
	}
	if (p > s + nd && toupper((unsigned char)*p) == 'B')
		p++;
	if (*p)
		goto bad;
	if (kib_mult > 1 && v > UINT64_MAX / kib_mult)
		goto bad;
	*mb = (v * kib_mult + 1023) / 1024;
	return 0;
bad:
	return sky_err_set(eb, SKY_E_INVAL, "invalid memory specification '%s'", s ? s : "");
}
