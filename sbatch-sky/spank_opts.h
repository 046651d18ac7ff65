/*
 * spank_opts.h: SPANK plugin options on sbatch's command line and #SBATCH
 * lines (allocator context, spank(8)).
 *
 * When the plugstack.conf of the configuration (PlugStackConfig=, else
 * plugstack.conf beside slurm.conf) exists, its plugins are loaded and their
 * slurm_spank_init runs; the options they register are then accepted as
 * --NAME[=VALUE] and taken out of the arguments before sbatch's own parser
 * sees them. Values come from, later winning: SLURM_SPANK_<plugin>_<option>
 * in the environment, #SBATCH lines, the command line. Each given option's
 * callback runs (remote = 0), then slurm_spank_init_post_opt, and the value
 * goes to the job's environment as Slurm's sbatch sends it:
 * SLURM_SPANK__SLURM_SPANK_OPTION_<plugin>_<option>=VALUE (the remote side
 * reads it there). Without a plugstack.conf nothing is loaded and every call
 * is a no-op (sbatch's start-up time matters).
 *
 * The state is one per process (file scope), like the command's options.
 */
#ifndef SKY_SBATCH_SPANK_OPTS_H
#define SKY_SBATCH_SPANK_OPTS_H

#include "sky_err.h"

/*
 * Load the plugins and take their options out of the command line:
 * argc and argv are replaced by a filtered copy (kept until exit) when any
 * was found. A required plugin that fails is SKY_E_LAUNCH with eb saying why.
 */
int spank_opts_load(int *argc, char ***argv, struct sky_errbuf *eb);

/* The same for the words of #SBATCH lines (argv[0] is "sbatch"); removed words are freed. */
void spank_opts_filter_script(int *argc, char **argv);

/*
 * Apply the values (callbacks, init_post_opt), put them in sbatch's
 * environment for the job, and run the exit hooks. A callback that rejects
 * its value is SKY_E_INVAL ("Invalid --NAME argument: VALUE").
 */
int spank_opts_finish(struct sky_errbuf *eb);

#endif
