/* opt_control.c: see opt_control.h. Error texts are Slurm's (sbatch exits 255 on them). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli_util.h"
#include "opt_control.h"
#include "timefmt.h"
#include "xalloc.h"

#define SIGNAL_SECS_DEFAULT 60
#define SIGNAL_SECS_MAX 65535

static const struct {
	const char *name;
	int num;
} sig_table[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
};

uint32_t ctl_signal_num(const char *s)
{
	uint32_t n;

	if (!s || !*s)
		return 0;
	if (cli_parse_u32(s, 1, 64, &n))
		return n;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
		if (!strcasecmp(s, sig_table[i].name))
			return (uint32_t)sig_table[i].num;
	return 0;
}

const char *ctl_signal_name(uint32_t n)
{
	for (size_t i = 0; i < sizeof(sig_table) / sizeof(sig_table[0]); i++)
		if ((uint32_t)sig_table[i].num == n)
			return sig_table[i].name;
	return NULL;
}

bool ctl_signal_spec(const char *arg, uint32_t *sig, uint32_t *secs, bool *batch_only)
{
	char *copy, *name, *at;
	bool ok = false;

	if (!arg || !*arg)
		return false;
	copy = xstrdup(arg);
	name = copy;
	*batch_only = false;
	*secs = SIGNAL_SECS_DEFAULT;
	/* "R:" (also at reservation end) and "B:" may be combined: "RB:". */
	if ((at = strchr(name, ':'))) {
		for (char *f = name; f < at; f++) {
			if (*f == 'B' || *f == 'b')
				*batch_only = true;
			else if (*f != 'R' && *f != 'r')
				goto out;
		}
		name = at + 1;
	}
	if ((at = strchr(name, '@'))) {
		*at = '\0';
		if (!cli_parse_u32(at + 1, 0, SIGNAL_SECS_MAX, secs))
			goto out;
	}
	*sig = ctl_signal_num(name);
	ok = *sig != 0;
out:
	free(copy);
	return ok;
}

int opt_set_signal(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb)
{
	(void)d;
	if (!ctl_signal_spec(arg, &o->signal_num, &o->signal_secs, &o->signal_batch))
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --signal specification");
	return 0;
}

void opt_reset_signal(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->signal_num = 0;
	o->signal_secs = 0;
	o->signal_batch = false;
}

char *opt_get_signal(const struct opt_desc *d, const struct sbatch_opts *o)
{
	const char *n = ctl_signal_name(o->signal_num);

	(void)d;
	if (!o->signal_num)
		return xstrdup("(null)");
	return n ? xasprintf("%s%s@%u", o->signal_batch ? "B:" : "", n, o->signal_secs)
		 : xasprintf("%s%u@%u", o->signal_batch ? "B:" : "", o->signal_num, o->signal_secs);
}

int opt_set_deadline(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb)
{
	struct sky_errbuf tmp;
	time_t t;

	(void)d;
	sky_err_clear(&tmp);
	if (!arg || parse_time_spec(arg, time(NULL), &t, &tmp) || !t)
		return sky_err_set(eb, SKY_E_INVAL, "Invalid --deadline specification");
	o->deadline = t;
	return 0;
}

void opt_reset_deadline(const struct opt_desc *d, struct sbatch_opts *o)
{
	(void)d;
	o->deadline = 0;
}

char *opt_get_deadline(const struct opt_desc *d, const struct sbatch_opts *o)
{
	char buf[64];

	(void)d;
	if (!o->deadline)
		return xstrdup("(null)");
	return xstrdup(timestamp_str(o->deadline, buf, sizeof(buf)));
}
