/* acct_print.c: see acct_print.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acct_print.h"
#include "xalloc.h"

static void put(const char *s, int width, bool last, enum acct_parsable mode)
{
	int w = width < 0 ? -width : width;
	char *cut = NULL;

	if (!s)
		s = "";
	if (mode == ACCT_PRINT_PARSABLE_NO_END && last) {
		fputs(s, stdout);
		return;
	}
	if (mode != ACCT_PRINT_COLUMNS) {
		printf("%s|", s);
		return;
	}
	if ((int)strlen(s) > w && w > 0) {
		cut = xstrdup(s);
		cut[w - 1] = '+';
		cut[w] = '\0';
		s = cut;
	}
	if (width < 0)
		printf("%-*.*s ", w, w, s);
	else
		printf("%*.*s ", w, w, s);
	free(cut);
}

void acct_print_header(const struct acct_col *cols, size_t n, enum acct_parsable mode)
{
	for (size_t i = 0; i < n; i++)
		put(cols[i].title, cols[i].width, i + 1 == n, mode);
	putchar('\n');
	if (mode != ACCT_PRINT_COLUMNS)
		return;
	for (size_t i = 0; i < n; i++) {
		int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
		for (int k = 0; k < w; k++)
			putchar('-');
		putchar(' ');
	}
	putchar('\n');
}

void acct_print_row(const struct acct_col *cols, size_t n, const char *const *vals,
		    enum acct_parsable mode)
{
	for (size_t i = 0; i < n; i++)
		put(vals[i], cols[i].width, i + 1 == n, mode);
	putchar('\n');
}
