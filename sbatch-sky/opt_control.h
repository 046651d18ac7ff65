/*
 * opt_control.h: sbatch's job-control options that need their own parsers:
 * --signal=[{R|B}:]SIG[@secs] and --deadline=TIME (rows in opt_table.c),
 * and the signal-name table they share with the other commands.
 */
#ifndef SKY_OPT_CONTROL_H
#define SKY_OPT_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "opt_table.h"

/* "USR1", "SIGUSR1", "usr1" or a number 1..64 to a signal number; 0 when none. */
uint32_t ctl_signal_num(const char *s);
/* The name of signal n without "SIG" ("USR1"), or NULL. Static. */
const char *ctl_signal_name(uint32_t n);

/*
 * Parse --signal's value: [{R|B}:]SIG[@secs], secs 0..65535 (default 60).
 * Returns false when it is not one.
 */
bool ctl_signal_spec(const char *arg, uint32_t *sig, uint32_t *secs, bool *batch_only);

/* opt_table.c rows: --signal and --deadline. */
int opt_set_signal(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		   struct sky_errbuf *eb);
void opt_reset_signal(const struct opt_desc *d, struct sbatch_opts *o);
char *opt_get_signal(const struct opt_desc *d, const struct sbatch_opts *o);
int opt_set_deadline(const struct opt_desc *d, struct sbatch_opts *o, const char *arg,
		     struct sky_errbuf *eb);
void opt_reset_deadline(const struct opt_desc *d, struct sbatch_opts *o);
char *opt_get_deadline(const struct opt_desc *d, const struct sbatch_opts *o);

#endif
