/*
 * site_env.c: a stand-in for a site's own SPANK plugin, built only for the
 * tests (tests/e2e/0710-spank-site-plugin.bats). It uses nothing but the
 * documented interface, so it shows that an existing plugin loads into
 * slurmd-sky (and sbatch-sky) as it does into Slurm:
 *   --site-tag=WORD        option registered in slurm_spank_init
 *   SITE_SPANK_TAG         the option's value, else "none"
 *   SITE_SPANK_ARGS        its plugstack.conf arguments, space-separated
 *   SITE_SPANK_JOB         S_JOB_ID
 *   SITE_SPANK_PRIV_EUID   geteuid() in task_init_privileged (root's hook)
 *   SITE_SPANK_TASK_EUID   geteuid() in task_init (the user's)
 *   SITE_SPANK_CTX         spank_context() in task_init (2: remote)
 * task_post_fork, task_exit and exit log what they see (S_TASK_PID,
 * S_TASK_EXIT_STATUS) in the node's log, as "site_env: job N ...".
 * An argument "fail_init" makes slurm_spank_init fail; "fail_task" makes
 * task_init fail.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <slurm/spank.h>

SPANK_PLUGIN(site_env, 1)

static char tag[64] = "none";

static int tag_cb(int val, const char *optarg, int remote)
{
	(void)val;
	(void)remote;
	if (!optarg || !*optarg || strlen(optarg) >= sizeof(tag))
		return -1;
	snprintf(tag, sizeof(tag), "%s", optarg);
	return 0;
}

static struct spank_option tag_opt = {
	"site-tag", "word", "site_env: a word the job's tasks see as SITE_SPANK_TAG", 1, 0, tag_cb
};

static int has_arg(int ac, char **av, const char *want)
{
	for (int i = 0; i < ac; i++)
		if (strcmp(av[i], want) == 0)
			return 1;
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	if (spank_option_register(sp, &tag_opt) != ESPANK_SUCCESS)
		return -1;
	if (has_arg(ac, av, "fail_init")) {
		slurm_error("site_env: failing init as asked");
		return -1;
	}
	return 0;
}

static void setnum(spank_t sp, const char *name, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	spank_setenv(sp, name, buf, 1);
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	setnum(sp, "SITE_SPANK_PRIV_EUID", (unsigned long)geteuid());
	return 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	char args[512] = "";
	uint32_t job = 0;

	if (has_arg(ac, av, "fail_task"))
		return -1;
	for (int i = 0; i < ac; i++) {
		size_t len = strlen(args);
		snprintf(args + len, sizeof(args) - len, "%s%s", i ? " " : "", av[i]);
	}
	if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS)
		return -1;
	spank_setenv(sp, "SITE_SPANK_TAG", tag, 1);
	spank_setenv(sp, "SITE_SPANK_ARGS", args, 1);
	setnum(sp, "SITE_SPANK_JOB", job);
	setnum(sp, "SITE_SPANK_TASK_EUID", (unsigned long)geteuid());
	setnum(sp, "SITE_SPANK_CTX", (unsigned long)spank_context());
	slurm_info("site_env: job %u task env set", job);
	return 0;
}

int slurm_spank_task_post_fork(spank_t sp, int ac, char **av)
{
	uint32_t job = 0;
	pid_t pid = 0;

	(void)ac;
	(void)av;
	if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_PID, &pid) != ESPANK_SUCCESS)
		return -1;
	slurm_info("site_env: job %u task_post_fork pid %d", job, (int)pid);
	return 0;
}

int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	uint32_t job = 0;
	int status = -1;

	(void)ac;
	(void)av;
	if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_EXIT_STATUS, &status) != ESPANK_SUCCESS)
		return -1;
	slurm_info("site_env: job %u task_exit status %d", job, status);
	return 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	uint32_t job = 0;

	(void)ac;
	(void)av;
	if (spank_remote(sp) && spank_get_item(sp, S_JOB_ID, &job) == ESPANK_SUCCESS)
		slurm_info("site_env: job %u exit", job);
	return 0;
}
