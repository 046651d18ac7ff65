/*
 * unit.h: what every Check unit test program shares.
 *
 * make check exports CK_TAP_LOG_FILE_NAME=-, so Check writes one TAP line per
 * test function to stdout and automake's tap-driver counts each of them; the
 * exit status is non-zero when any test failed, so a broken test fails the
 * build even when run by hand. CK_FORK=yes (also from make check) runs each
 * test in its own child, so a crash fails that test, not the program.
 * Include "config.h" before this header.
 */
#ifndef SKY_UNIT_H
#define SKY_UNIT_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sky_err.h"
#include "xalloc.h"

/* Run suite s and exit with its verdict. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A fresh directory under $TMPDIR (or /tmp). Caller frees and removes it. */
static inline char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/sky-unit-XXXXXX", base && *base ? base : "/tmp");

	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s failed", dir);
	return dir;
}

/* Write text to dir/name; returns the full path (caller frees). */
static inline char *unit_write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

static inline int unit_rm_one(const char *path, const struct stat *st, int flag,
			      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm -r dir, best effort (the test result does not depend on it). */
static inline void unit_rmtree(const char *dir)
{
	nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* An errbuf that says what went wrong when an assertion on it fails. */
#define ck_assert_ok(expr, eb)                                                     \
	do {                                                                       \
		int rc_ = (expr);                                                  \
		ck_assert_msg(rc_ == 0, "%s returned %d: %s", #expr, rc_,         \
			      sky_err_msg(eb));                                    \
	} while (0)

#endif
