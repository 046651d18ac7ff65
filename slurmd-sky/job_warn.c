/* job_warn.c: see job_warn.h. */
#include "config.h"

#include <signal.h>

#include "job_warn.h"
#include "timefmt.h"

void job_warn_plan(const Sky__JobRecord *job, time_t start, struct job_warn *w)
{
	const Sky__JobDesc *d = job->desc;
	uint32_t limit = job->has_time_limit_min ? job->time_limit_min : d->time_limit_min;
	uint32_t secs;

	w->sig = 0;
	w->batch_only = false;
	w->at = 0;
	if (!d->has_signal_num || !d->signal_num || d->signal_num >= NSIG)
		return;
	if (!limit || limit == SKY_INFINITE || limit == SKY_NO_VAL)
		return;
	secs = d->has_signal_secs ? d->signal_secs : JOB_WARN_DEFAULT_SECS;
	w->sig = (int)d->signal_num;
	w->batch_only = d->has_signal_batch_only && d->signal_batch_only;
	w->at = start + (time_t)limit * 60 - (time_t)secs;
	if (w->at < start)
		w->at = start;
}
