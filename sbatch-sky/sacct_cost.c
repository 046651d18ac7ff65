/* sacct_cost.c: see sacct_cost.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job_cost.h"
#include "log.h"
#include "sacct_cost.h"
#include "xalloc.h"

struct acct_total {
	const char *account;     /* borrowed from a job; "" for none */
	int64_t cost;
};

static int total_cmp(const void *a, const void *b)
{
	return strcmp(((const struct acct_total *)a)->account,
		      ((const struct acct_total *)b)->account);
}

/* The totals, sorted by account; caller frees. */
static struct acct_total *sum_by_account(Sky__JobRecord *const *jobs, size_t n, time_t now,
					 size_t *count)
{
	struct acct_total *t = xcalloc(n + 1, sizeof(*t));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *acct = jobs[i]->desc && jobs[i]->desc->account ?
				   jobs[i]->desc->account : "";
		size_t a;

		for (a = 0; a < k && strcmp(t[a].account, acct) != 0; a++)
			;
		if (a == k)
			t[k++].account = acct;
		t[a].cost += job_rec_cost_now(jobs[i], now);
	}
	qsort(t, k, sizeof(*t), total_cmp);
	*count = k;
	return t;
}

/* Only Account and Cost make sense for a sum over jobs. */
static bool cols_ok(const struct acct_col *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = acct_field_name(cols[i].field);

		if (strcmp(name, "Account") != 0 && strcmp(name, "Cost") != 0)
			return false;
	}
	return true;
}

int acct_print_account_totals(Sky__JobRecord *const *jobs, size_t n, const char *format,
			      const struct acct_out *o, time_t now)
{
	struct acct_col *cols = NULL;
	struct acct_total *t;
	struct sky_errbuf eb;
	size_t ncols = 0, k;
	char *s;

	sky_err_clear(&eb);
	if (acct_cols_parse(format ? format : "Account,Cost", &cols, &ncols, &eb)) {
		log_error("%s", sky_err_msg(&eb));
		return 1;
	}
	if (!cols_ok(cols, ncols)) {
		log_error("--account-totals: only the Account and Cost fields can be printed");
		free(cols);
		return 1;
	}
	if (!o->no_header) {
		s = acct_header(cols, ncols, o);
		fputs(s, stdout);
		free(s);
	}
	t = sum_by_account(jobs, n, now, &k);
	for (size_t i = 0; i < k; i++) {
		Sky__JobRecord rec = SKY__JOB_RECORD__INIT;
		Sky__JobDesc desc = SKY__JOB_DESC__INIT;
		struct acct_row row = { .job = &rec, .now = now };

		/* A finished record carrying the sum: the Cost field prints cost_u. */
		desc.account = (char *)t[i].account;
		rec.desc = &desc;
		rec.state = SKY__JOB_STATE__JOB_COMPLETE;
		rec.has_cost_u = true;
		rec.cost_u = t[i].cost;
		s = acct_line(cols, ncols, &row, o);
		fputs(s, stdout);
		free(s);
	}
	free(t);
	free(cols);
	return 0;
}
