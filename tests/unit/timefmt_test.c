/* timefmt_test.c: time and size strings (slurm.md section 1.4). */
#include "config.h"

#include <time.h>

#include "timefmt.h"
#include "unit.h"

static int64_t secs_of(const char *s)
{
	struct sky_errbuf eb = { 0 };
	int64_t v = -2;

	ck_assert_ok(time_str2secs(s, &v, &eb), &eb);
	return v;
}

static uint32_t mins_of(const char *s)
{
	struct sky_errbuf eb = { 0 };
	uint32_t v = 12345;

	ck_assert_ok(time_str2mins(s, &v, &eb), &eb);
	return v;
}

static void assert_bad_time(const char *s)
{
	struct sky_errbuf eb = { 0 };
	int64_t secs = 77;
	uint32_t mins = 77;

	ck_assert_msg(time_str2secs(s, &secs, &eb) == SKY_E_INVAL, "'%s' was accepted", s);
	ck_assert_int_eq(secs, 77);
	ck_assert_msg(strstr(eb.msg, s) != NULL, "message '%s' does not name '%s'", eb.msg, s);
	ck_assert_int_eq(time_str2mins(s, &mins, NULL), SKY_E_INVAL);
	ck_assert_uint_eq(mins, 77);
}

START_TEST(test_time_vectors)
{
	ck_assert_int_eq(secs_of("60"), 3600);
	ck_assert_int_eq(secs_of("60:15"), 3615);
	ck_assert_int_eq(secs_of("0-1:60:15"), 7215);
	ck_assert_int_eq(secs_of("1:60:15"), 7215);   /* fields are not range-checked */
	ck_assert_int_eq(secs_of("365-0:0:0"), 365LL * 86400);
	ck_assert_int_eq(secs_of("0"), 0);
	ck_assert_int_eq(secs_of("1-2"), 86400 + 7200);
	ck_assert_int_eq(secs_of("1-2:3"), 86400 + 7200 + 180);
	ck_assert_int_eq(secs_of("1-2:3:4"), 86400 + 7200 + 180 + 4);
	ck_assert_int_eq(secs_of("2:03:04"), 7384);
}
END_TEST

START_TEST(test_time_infinite)
{
	static const char *const inf[] = { "-1", "INFINITE", "infinite", "UNLIMITED", "Unlimited" };

	for (size_t i = 0; i < sizeof(inf) / sizeof(inf[0]); i++) {
		ck_assert_int_eq(secs_of(inf[i]), -1);
		ck_assert_uint_eq(mins_of(inf[i]), SKY_INFINITE);
	}
}
END_TEST

START_TEST(test_time_rounds_up_to_minutes)
{
	ck_assert_uint_eq(mins_of("60"), 60);
	ck_assert_uint_eq(mins_of("60:15"), 61);
	ck_assert_uint_eq(mins_of("0:1"), 1);
	ck_assert_uint_eq(mins_of("1:00"), 1);
	ck_assert_uint_eq(mins_of("0"), 0);
	ck_assert_uint_eq(mins_of("1-0"), 1440);
}
END_TEST

START_TEST(test_time_invalid)
{
	static const char *const bad[] = {
		"60:", " 0:0:0 ", "-60:10", "", "1::2", ":5", "1:2:3:4", "1-2-3", "1:2-3", "1-",
		"-", "abc", "1h", "1.5", "+5", "0x10", "1 ", "1- 2", "9999999999",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_bad_time(bad[i]);
	ck_assert_int_eq(time_str2mins(NULL, &(uint32_t){ 0 }, NULL), SKY_E_INVAL);
	/* Too many minutes for 32 bits. */
	ck_assert_int_eq(time_str2mins("999999999-0", &(uint32_t){ 0 }, NULL), SKY_E_INVAL);
}
END_TEST

static void assert_secs_str(int64_t secs, const char *want)
{
	char buf[32];
	ck_assert_str_eq(secs2time_str(secs, buf, sizeof(buf)), want);
}

START_TEST(test_secs2time_str)
{
	assert_secs_str(0, "0:00");
	assert_secs_str(59, "0:59");
	assert_secs_str(61, "1:01");
	assert_secs_str(3599, "59:59");
	assert_secs_str(3600, "1:00:00");
	assert_secs_str(86399, "23:59:59");
	assert_secs_str(86400, "1-00:00:00");
	assert_secs_str(10 * 86400 + 3 * 3600 + 4 * 60 + 5, "10-03:04:05");
	assert_secs_str(365LL * 86400, "365-00:00:00");
	assert_secs_str(365LL * 86400 + 1, "INVALID");
	assert_secs_str(-1, "INVALID");
	{
		char small[5];
		/* Truncates, never overflows. */
		ck_assert_str_eq(secs2time_str(86400, small, sizeof(small)), "1-00");
	}
}
END_TEST

START_TEST(test_mins2time_str)
{
	char buf[32];

	ck_assert_str_eq(mins2time_str(SKY_INFINITE, buf, sizeof(buf)), "UNLIMITED");
	ck_assert_str_eq(mins2time_str(SKY_NO_VAL, buf, sizeof(buf)), "NOT_SET");
	ck_assert_str_eq(mins2time_str(0, buf, sizeof(buf)), "0:00");
	ck_assert_str_eq(mins2time_str(30, buf, sizeof(buf)), "30:00");
	ck_assert_str_eq(mins2time_str(60, buf, sizeof(buf)), "1:00:00");
	ck_assert_str_eq(mins2time_str(1440, buf, sizeof(buf)), "1-00:00:00");
	/* A limit above a year is still a limit. */
	ck_assert_str_eq(mins2time_str(400 * 1440, buf, sizeof(buf)), "400-00:00:00");
}
END_TEST

/* scontrol's form pads the hours: TimeLimit=00:01:00, 1-02:03:00. */
START_TEST(test_mins2time_str_padded)
{
	char buf[32];

	ck_assert_str_eq(mins2time_str_padded(SKY_INFINITE, buf, sizeof(buf)), "UNLIMITED");
	ck_assert_str_eq(mins2time_str_padded(SKY_NO_VAL, buf, sizeof(buf)), "NOT_SET");
	ck_assert_str_eq(mins2time_str_padded(1, buf, sizeof(buf)), "00:01:00");
	ck_assert_str_eq(mins2time_str_padded(60, buf, sizeof(buf)), "01:00:00");
	ck_assert_str_eq(mins2time_str_padded(1440 + 123, buf, sizeof(buf)), "1-02:03:00");
}
END_TEST

static uint64_t mb_of(const char *s)
{
	struct sky_errbuf eb = { 0 };
	uint64_t v = 0;

	ck_assert_ok(mem_str2mb(s, &v, &eb), &eb);
	return v;
}

START_TEST(test_mem)
{
	static const char *const bad[] = { "", "-1", "1X", "1.5G", "G", "B", "1GBB", "1 G",
					   "99999999999999999999", "20000000000T" };

	ck_assert_uint_eq(mb_of("100"), 100);
	ck_assert_uint_eq(mb_of("0"), 0);
	ck_assert_uint_eq(mb_of("100M"), 100);
	ck_assert_uint_eq(mb_of("100MB"), 100);
	ck_assert_uint_eq(mb_of("1G"), 1024);
	ck_assert_uint_eq(mb_of("1gb"), 1024);
	ck_assert_uint_eq(mb_of("2T"), 2097152);
	ck_assert_uint_eq(mb_of("1024K"), 1);
	ck_assert_uint_eq(mb_of("1K"), 1);       /* K rounds up */
	ck_assert_uint_eq(mb_of("1025k"), 2);
	ck_assert_uint_eq(mb_of("0K"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sky_errbuf eb = { 0 };
		uint64_t v = 9;
		ck_assert_msg(mem_str2mb(bad[i], &v, &eb) == SKY_E_INVAL, "'%s' accepted", bad[i]);
		ck_assert_uint_eq(v, 9);
	}
	ck_assert_int_eq(mem_str2mb(NULL, &(uint64_t){ 0 }, NULL), SKY_E_INVAL);
}
END_TEST

/* --begin forms run in UTC against a fixed "now": Tue 2026-03-10 10:30:00. */
static time_t now_ref;

static void utc_setup(void)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 10, .tm_hour = 10, .tm_min = 30 };

	setenv("TZ", "UTC", 1);
	tzset();
	now_ref = timegm(&tm);
}

static time_t utc(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return timegm(&tm);
}

static void assert_spec(const char *s, time_t want)
{
	struct sky_errbuf eb = { 0 };
	time_t got = 0;

	ck_assert_ok(parse_time_spec(s, now_ref, &got, &eb), &eb);
	ck_assert_msg(got == want, "'%s' gave %lld, want %lld (diff %lld s)", s, (long long)got,
		      (long long)want, (long long)(got - want));
}

START_TEST(test_begin_now)
{
	assert_spec("now", now_ref);
	assert_spec("now+60", now_ref + 60);
	assert_spec("now+60seconds", now_ref + 60);
	assert_spec("now+1minute", now_ref + 60);
	assert_spec("now+5minutes", now_ref + 300);
	assert_spec("now+2hours", now_ref + 7200);
	assert_spec("NOW+1day", now_ref + 86400);
	assert_spec("now+1week", now_ref + 7 * 86400);
}
END_TEST

START_TEST(test_begin_clock)
{
	assert_spec("16:00", utc(2026, 3, 10, 16, 0, 0));
	assert_spec("16:00:30", utc(2026, 3, 10, 16, 0, 30));
	assert_spec("10:00", utc(2026, 3, 11, 10, 0, 0));       /* past: tomorrow */
	assert_spec("10:30", utc(2026, 3, 11, 10, 30, 0));      /* not later: tomorrow */
	assert_spec("04:00PM", utc(2026, 3, 10, 16, 0, 0));
	assert_spec("04:00 pm", utc(2026, 3, 10, 16, 0, 0));
	assert_spec("12:00AM", utc(2026, 3, 11, 0, 0, 0));
	assert_spec("11:00am", utc(2026, 3, 10, 11, 0, 0));
	assert_spec("noon", utc(2026, 3, 10, 12, 0, 0));
	assert_spec("elevenses", utc(2026, 3, 10, 11, 0, 0));
	assert_spec("fika", utc(2026, 3, 10, 15, 0, 0));
	assert_spec("teatime", utc(2026, 3, 10, 16, 0, 0));
	assert_spec("midnight", utc(2026, 3, 11, 0, 0, 0));
}
END_TEST

START_TEST(test_begin_dates)
{
	assert_spec("2026-11-22T06:55:05", utc(2026, 11, 22, 6, 55, 5));
	assert_spec("2026-11-22T06:55", utc(2026, 11, 22, 6, 55, 0));
	assert_spec("2026-11-22", utc(2026, 11, 22, 0, 0, 0));
	assert_spec("03/15", utc(2026, 3, 15, 0, 0, 0));
	assert_spec("0315", utc(2026, 3, 15, 0, 0, 0));
	assert_spec("03.15", utc(2026, 3, 15, 0, 0, 0));
	assert_spec("03/15/27", utc(2027, 3, 15, 0, 0, 0));
	assert_spec("03.15.27", utc(2027, 3, 15, 0, 0, 0));
	assert_spec("031527", utc(2027, 3, 15, 0, 0, 0));
	assert_spec("03/15/27-10:00", utc(2027, 3, 15, 10, 0, 0));
	assert_spec("03/01", utc(2027, 3, 1, 0, 0, 0));         /* past: next year */
	assert_spec("today", utc(2026, 3, 10, 0, 0, 0));
	assert_spec("tomorrow", utc(2026, 3, 11, 0, 0, 0));
	assert_spec("Tomorrow", utc(2026, 3, 11, 0, 0, 0));
	assert_spec("tomorrow18:00", utc(2026, 3, 11, 18, 0, 0));
	assert_spec("today teatime", utc(2026, 3, 10, 16, 0, 0));
}
END_TEST

START_TEST(test_begin_invalid)
{
	static const char *const bad[] = {
		"", "garbage", "25:00", "13/01", "02/30", "now+", "now+5fortnights", "12:60",
		"1x", "00:00PM", "2026-13-01", "now-5",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sky_errbuf eb = { 0 };
		time_t t = 42;
		ck_assert_msg(parse_time_spec(bad[i], now_ref, &t, &eb) == SKY_E_INVAL,
			      "'%s' accepted (%lld)", bad[i], (long long)t);
		ck_assert_int_eq(t, 42);
		ck_assert_msg(strstr(eb.msg, bad[i]) != NULL, "message '%s'", eb.msg);
	}
}
END_TEST

START_TEST(test_timestamp)
{
	char buf[64];
	time_t t = utc(2026, 11, 22, 6, 55, 5);

	unsetenv("SLURM_TIME_FORMAT");
	ck_assert_str_eq(timestamp_str(0, buf, sizeof(buf)), "Unknown");
	ck_assert_str_eq(timestamp_str(t, buf, sizeof(buf)), "2026-11-22T06:55:05");
	setenv("SLURM_TIME_FORMAT", "standard", 1);
	ck_assert_str_eq(timestamp_str(t, buf, sizeof(buf)), "2026-11-22T06:55:05");
	setenv("SLURM_TIME_FORMAT", "%d.%m.%Y %H:%M", 1);
	ck_assert_str_eq(timestamp_str(t, buf, sizeof(buf)), "22.11.2026 06:55");
	setenv("SLURM_TIME_FORMAT", "relative", 1);
	timestamp_str(time(NULL), buf, sizeof(buf));
	ck_assert_msg(strlen(buf) == 8 && buf[2] == ':' && buf[5] == ':', "relative now: '%s'", buf);
	timestamp_str(time(NULL) + 86400, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "Tomorr ", 7) == 0, "relative tomorrow: '%s'", buf);
	timestamp_str(time(NULL) - 86400, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "Ystday ", 7) == 0, "relative yesterday: '%s'", buf);
}
END_TEST

static Suite *timefmt_suite(void)
{
	Suite *s = suite_create("timefmt");
	TCase *tc = tcase_create("durations");
	TCase *tb = tcase_create("begin");

	tcase_add_test(tc, test_time_vectors);
	tcase_add_test(tc, test_time_infinite);
	tcase_add_test(tc, test_time_rounds_up_to_minutes);
	tcase_add_test(tc, test_time_invalid);
	tcase_add_test(tc, test_secs2time_str);
	tcase_add_test(tc, test_mins2time_str);
	tcase_add_test(tc, test_mins2time_str_padded);
	tcase_add_test(tc, test_mem);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tb, utc_setup, NULL);
	tcase_add_test(tb, test_begin_now);
	tcase_add_test(tb, test_begin_clock);
	tcase_add_test(tb, test_begin_dates);
	tcase_add_test(tb, test_begin_invalid);
	tcase_add_test(tb, test_timestamp);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	return unit_run(timefmt_suite());
}
