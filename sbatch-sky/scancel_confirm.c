/* scancel_confirm.c: see scancel_confirm.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "fmt_job.h"
#include "scancel_confirm.h"

static const Sky__JobRecord *find_job(const Sky__JobInfoReply *r, uint32_t id)
{
	for (size_t i = 0; r && i < r->n_jobs; i++)
		if (r->jobs[i]->job_id == id)
			return r->jobs[i];
	return NULL;
}

/* true: act on the job. */
static bool ask(const Sky__JobRecord *j, uint32_t id, uint32_t signal, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	for (;;) {
		const char *part = j ? job_partition(j) : NULL;
		printf("%s job_id=%u name=%s partition=%s [y/n]? ", signal ? "Signal" : "Cancel", id,
		       j && j->desc->name ? j->desc->name : "(null)", part ? part : "(null)");
		fflush(stdout);
		if (getline(&line, &cap, in) <= 0)
			break;
		if (line[0] == 'y' || line[0] == 'Y') {
			yes = true;
			break;
		}
		if (line[0] == 'n' || line[0] == 'N')
			break;
	}
	free(line);
	return yes;
}

size_t scancel_confirm(struct sky_client *c, uint32_t *ids, size_t n, uint32_t signal, FILE *in)
{
	Sky__JobInfoReply *r = NULL;
	struct sky_errbuf eb;
	size_t kept = 0;

	sky_err_clear(&eb);
	if (cli_load_jobs(c, NULL, 0, &r, &eb))
		r = NULL;
	for (size_t i = 0; i < n; i++) {
		const Sky__JobRecord *j = find_job(r, ids[i]);
		if (!j || ask(j, ids[i], signal, in))
			ids[kept++] = ids[i];
	}
	if (r)
		sky__job_info_reply__free_unpacked(r, NULL);
	return kept;
}
