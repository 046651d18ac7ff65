/*
 * task_yaml.h: `sbatch task.yaml`, a SkyPilot-style task (skypilot.md 1)
 * submitted as a batch job.
 *
 * Which files are tasks: a file that does not start with "#!" and either
 * has a name ending in .yaml or .yml (any case), or parses as a YAML
 * mapping holding a run, setup or resources key. Anything starting with
 * "#!" is a batch script, whatever its name.
 *
 * Fields map onto the same sbatch options #SBATCH lines set (through the
 * option table's setters, at #SBATCH precedence: SBATCH_* variables and
 * the command line still win):
 *   name -> --job-name, workdir -> --chdir, num_nodes -> --nodes,
 *   resources.accelerators NAME:COUNT -> --gres=gpu:name:ceil(COUNT) per node,
 *   resources.cpus N or N+ -> --cpus-per-task=N (one task per node, so a
 *   per-node minimum either way), resources.memory N[+] GB or with units
 *   KB..PB -> --mem (per node); use_spot, infra/cloud/region/zone and the
 *   accelerators are recorded in the JobDesc for the optimizer.
 * envs (and secrets) become the job's environment, over sbatch's own; an
 * entry the command line's --export sets with a value keeps that value. A
 * null value takes the variable from sbatch's environment (SkyPilot's
 * "--env NAME" rule) and is an error when it is not set there.
 * The batch script runs setup, then run, each with bash; a failed setup
 * ends the job with setup's exit code and run is not started.
 *
 * Errors name the file, line and field: "task.yaml:7: resources.accelerators:
 * expected NAME:COUNT, got 'A100:x'" (SKY_E_SCRIPT_INVALID, sbatch exits 1).
 * Unknown fields are errors; fields that make no sense on a cluster
 * (disk_size, ports, ...) are ignored with a warning; file_mounts and other
 * features we do not provide are errors saying "not supported".
 */
#ifndef SKY_TASK_YAML_H
#define SKY_TASK_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "sbatch_opts.h"
#include "sky.pb-c.h"
#include "sky_err.h"

struct task_yaml;

/* Whether the file at path (NULL: stdin) with this content is a task YAML (rule above). */
bool task_yaml_detect(const char *path, const char *body, size_t len);

/*
 * Parse the task in body (len bytes; name is the file as the user gave it,
 * for messages), apply its options to o at #SBATCH precedence, and build the
 * batch script. environ is sbatch's environment (for null envs values).
 * On success *out (free with task_yaml_free) and *script (*script_len bytes,
 * caller frees) are set; on error nothing is allocated.
 */
int task_yaml_load(const char *name, const char *body, size_t len, char *const *environ,
		   struct sbatch_opts *o, struct task_yaml **out, char **script,
		   size_t *script_len, struct sky_errbuf *eb);

/*
 * Once job_desc_build() made d: record the task fields (task_yaml, infra,
 * use_spot, accelerators) and put the task's envs into d->env, leaving alone
 * the names o's --export gives a value. SKYPILOT_* variables inherited from
 * sbatch's environment are dropped (the agent sets them for this job).
 * t NULL: nothing. Strings set here are freed by task_yaml_clear_desc().
 */
void task_yaml_fill_desc(const struct task_yaml *t, const struct sbatch_opts *o, Sky__JobDesc *d);
void task_yaml_clear_desc(Sky__JobDesc *d);

void task_yaml_free(struct task_yaml *t);

#endif
