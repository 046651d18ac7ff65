/* scontrol_ext.c: see scontrol_ext.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "cli_util.h"
#include "gres.h"
#include "scontrol_ext.h"
#include "timefmt.h"
#include "xalloc.h"

/* The keys the controller understands; others are refused here, as Slurm's scontrol does. */
static const char *const update_keys[] = {
	"Comment", "JobName", "MinNodes", "Name", "Nice", "NumNodes", "Partition", "TimeLimit",
};

static bool known_key(const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < sizeof(update_keys) / sizeof(update_keys[0]); i++)
		if (strlen(update_keys[i]) == klen && !strncasecmp(kv, update_keys[i], klen))
			return true;
	return false;
}

/* Split argv into the job id and the settings; false (message printed) when invalid. */
static bool update_args(int argc, char **argv, uint32_t *id, char ***settings, size_t *n)
{
	bool have_id = false;

	*settings = xcalloc((size_t)argc + 1, sizeof(char *));
	*n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strncasecmp(a, "JobId=", 6) || !strncasecmp(a, "Job=", 4)) {
			if (!cli_parse_job_id(strchr(a, '=') + 1, id)) {
				fprintf(stderr, "Invalid job id specified\n");
				return false;
			}
			have_id = true;
			continue;
		}
		if (!strchr(a, '=') || !known_key(a)) {
			fprintf(stderr, "Update of this parameter is not supported: %s\n", a);
			fprintf(stderr, "Request aborted\n");
			return false;
		}
		(*settings)[(*n)++] = (char *)a;
	}
	if (!have_id) {
		fprintf(stderr, "No valid entity in update command\n");
		fprintf(stderr, "Input line must include \"NodeName\", \"PartitionName\", "
				"\"Reservation=<name>\", or \"JobId\"\n");
		return false;
	}
	if (!*n) {
		fprintf(stderr, "No changes specified\n");
		return false;
	}
	return true;
}

int scontrol_update(int argc, char **argv, bool quiet)
{
	Sky__UpdateJobRequest req = SKY__UPDATE_JOB_REQUEST__INIT;
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	char **settings = NULL;
	size_t n = 0;
	uint32_t id = 0;
	int rc, ec = 1;

	if (!update_args(argc, argv, &id, &settings, &n))
		goto out;
	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		goto out;
	}
	req.job_id = id;
	req.op = (char *)"update";
	req.n_settings = n;
	req.settings = settings;
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_UPDATE_JOB, &req.base, NULL, NULL, &eb);
	ec = rc ? 1 : 0;
	if (rc && !quiet)
		fprintf(stderr, "%s for job %u\n",
			rc < SKY_E__COUNT && rc != SKY_E_CONNECT && rc != SKY_E_INVAL
			? sky_strerror(rc) : cli_rpc_errtext(&eb), id);
out:
	sky_client_close(c);
	free(settings);
	return ec;
}

/* ---- show config ---- */

static const char *nn(const char *s)
{
	return s && *s ? s : "(null)";
}

static void kv(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	/* Slurm's slurm_print_key_pairs(): "%-23s = %s". */
	printf("%-23s = %s\n", key, v);
	free(v);
}

static const char *debug_name(int level)
{
	static const char *const names[] = { "quiet", "fatal", "error", "info", "verbose",
					     "debug", "debug2", "debug3", "debug4", "debug5" };
	return level >= 0 && level < (int)(sizeof(names) / sizeof(names[0])) ? names[level] : "info";
}

static void print_config(const struct sky_conf *cf)
{
	char ts[64];

	printf("Configuration data as of %s\n", timestamp_str(time(NULL), ts, sizeof(ts)));
	kv("AuthInfo", "%s", cf->munge_socket ? cf->munge_socket : "(null)");
	kv("AuthType", "%s", nn(cf->auth_type));
	kv("BOOT_TIME", "%s", "(null)");
	kv("ClusterName", "%s", nn(cf->cluster_name));
	kv("DefMemPerCPU", "%llu", (unsigned long long)cf->def_mem_per_cpu_mb);
	kv("DefMemPerNode", "%s", cf->def_mem_per_node_mb ? "" : "UNLIMITED");
	kv("FirstJobId", "%u", cf->first_job_id);
	kv("InactiveLimit", "%u sec", cf->inactive_limit);
	kv("JobRequeue", "%d", cf->job_requeue ? 1 : 0);
	kv("KillWait", "%u sec", cf->kill_wait);
	kv("MaxArraySize", "%u", cf->max_array_size);
	kv("MaxJobCount", "%u", cf->max_job_count);
	kv("MaxJobId", "%u", cf->max_job_id);
	kv("MessageTimeout", "%u sec", cf->message_timeout);
	kv("MinJobAge", "%u sec", cf->min_job_age);
	kv("SchedulerParameters", "%s", nn(cf->sched_params));
	kv("SchedulerType", "%s", "sched/builtin");
	kv("SlurmUser", "%s", cf->slurm_user ? cf->slurm_user : "root(0)");
	kv("SlurmctldDebug", "%s", debug_name(cf->ctld_debug));
	kv("SlurmctldHost[0]", "%s%s%s%s", nn(cf->ctld_host), cf->ctld_addr ? "(" : "",
	   cf->ctld_addr ? cf->ctld_addr : "", cf->ctld_addr ? ")" : "");
	kv("SlurmctldLogFile", "%s", nn(cf->ctld_log));
	kv("SlurmctldPidFile", "%s", nn(cf->ctld_pidfile));
	kv("SlurmctldPort", "%u", cf->ctld_port);
	kv("SlurmdDebug", "%s", debug_name(cf->slurmd_debug));
	kv("SlurmdLogFile", "%s", nn(cf->slurmd_log));
	kv("SlurmdPidFile", "%s", nn(cf->slurmd_pidfile));
	kv("SlurmdPort", "%u", cf->slurmd_port);
	kv("SlurmdSpoolDir", "%s", nn(cf->spool_dir));
	kv("SlurmdTimeout", "%u sec", cf->slurmd_timeout);
	kv("SLURM_CONF", "%s", nn(cf->path));
	kv("SLURM_VERSION", "%s", PACKAGE_VERSION);
	kv("StateSaveLocation", "%s", nn(cf->state_dir));
}

int scontrol_show_config(void)
{
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		return 1;
	}
	print_config(c->conf);
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_PING, NULL, NULL, NULL, &eb);
	printf("\nSlurmctld(primary) at %s is %s\n", nn(c->conf->ctld_host), rc ? "DOWN" : "UP");
	sky_client_close(c);
	return 0;
}

/* ---- show job -d ---- */

/* Insert add after the first line of text that contains marker (at its line end). */
static char *insert_after(char *text, const char *marker, const char *add)
{
	char *at = strstr(text, marker), *out;
	size_t pos;

	if (!at)
		return text;
	pos = (size_t)(at - text) + strlen(marker);
	pos += strcspn(text + pos, "\n ");
	/* With -o the record is one line: insert after the marker's token. */
	out = xasprintf("%.*s%s%s", (int)pos, text, add, text + pos);
	free(text);
	return out;
}

char *scontrol_job_details(char *text, const Sky__JobRecord *j, bool one_liner)
{
	const char *sep = one_liner ? " " : "\n   ";
	int st = (int)j->derived_exit;
	char *add;

	add = xasprintf("%sDerivedExitCode=%d:%d", sep, WIFEXITED(st) ? WEXITSTATUS(st) : 0,
			WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	text = insert_after(text, " ExitCode=", add);
	free(add);
	if (j->node_list && *j->node_list && j->num_nodes) {
		uint32_t cpus = j->cpus_per_node ? j->cpus_per_node : 1;
		char cpu_ids[32];

		if (cpus > 1)
			snprintf(cpu_ids, sizeof(cpu_ids), "0-%u", cpus - 1);
		else
			snprintf(cpu_ids, sizeof(cpu_ids), "0");
		add = gres_job_detail(j, sep, one_liner ? " " : "\n     ", cpu_ids);
	} else {
		add = xasprintf("%sJOB_GRES=(null)", sep);
	}
	text = insert_after(text, "CoreSpec=", add);
	free(add);
	return text;
}
