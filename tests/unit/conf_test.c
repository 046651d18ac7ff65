/* conf_test.c: slurm.conf parsing, defaults and error positions. */
#include "config.h"

#include <limits.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"
#include "timefmt.h"
#include "unit.h"

/* Configs parsed from strings pretend to live here (it need not exist). */
#define FAKE "/nonexistent-sky/etc/slurm.conf"
#define FAKE_DIR "/nonexistent-sky/etc"

static struct sky_conf *load_ok(const char *text)
{
	struct sky_errbuf eb = { 0 };
	struct sky_conf *c = NULL;

	ck_assert_ok(conf_load_string(text, FAKE, &c, &eb), &eb);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* text must fail with exactly the message want (after the "file:" prefix). */
static void assert_error(const char *text, const char *want)
{
	struct sky_errbuf eb = { 0 };
	struct sky_conf *c = (struct sky_conf *)0x1;
	char *full = xasprintf("%s:%s", FAKE, want);
	int rc = conf_load_string(text, FAKE, &c, &eb);

	ck_assert_msg(rc == SKY_E_CONFIG, "rc %d for config:\n%s", rc, text);
	ck_assert_ptr_eq(c, (struct sky_conf *)0x1);
	ck_assert_msg(strcmp(eb.msg, full) == 0, "message '%s', want '%s'", eb.msg, full);
	free(full);
}

static char *short_host(void)
{
	char h[256] = "";

	gethostname(h, sizeof(h) - 1);
	h[strcspn(h, ".")] = '\0';
	return xstrdup(h[0] ? h : "localhost");
}

START_TEST(test_defaults)
{
	struct sky_conf *c = load_ok("");
	char *host = short_host();

	ck_assert_str_eq(c->path, FAKE);
	ck_assert_str_eq(c->home, FAKE_DIR);
	ck_assert_str_eq(c->cluster_name, "sky");
	ck_assert_str_eq(c->ctld_host, "localhost");
	ck_assert_ptr_null(c->ctld_addr);
	ck_assert_uint_eq(c->ctld_port, 0);
	ck_assert_uint_eq(c->slurmd_port, 0);
	ck_assert_str_eq(c->ctld_socket, FAKE_DIR "/slurmctld.sock");
	ck_assert_str_eq(c->state_dir, FAKE_DIR "/state");
	ck_assert_str_eq(c->spool_dir, FAKE_DIR "/spool/%n");
	ck_assert_ptr_null(c->ctld_log);
	ck_assert_ptr_null(c->slurmd_log);
	ck_assert_int_eq(c->ctld_debug, LOG_LEVEL_INFO);
	ck_assert_int_eq(c->slurmd_debug, LOG_LEVEL_INFO);
	ck_assert_str_eq(c->auth_type, "auth/munge");
	ck_assert_ptr_null(c->munge_socket);
	ck_assert_uint_eq(c->auth_ttl, 0);
	ck_assert_uint_eq(c->kill_wait, 30);
	ck_assert_uint_eq(c->min_job_age, 300);
	ck_assert_uint_eq(c->max_job_count, 10000);
	ck_assert_uint_eq(c->first_job_id, 1);
	ck_assert_uint_eq(c->max_job_id, 67043328);
	ck_assert_uint_eq(c->message_timeout, 10);
	ck_assert_uint_eq(c->slurmd_timeout, 300);
	ck_assert(c->job_requeue);
	ck_assert_uint_eq(c->max_script_size, 4u << 20);
	ck_assert_uint_eq(c->max_array_size, 1001);

	/* The embedded default: this host, in partition "debug". */
	ck_assert_uint_eq(c->n_nodes, 1);
	ck_assert_str_eq(c->nodes[0].names, host);
	ck_assert_str_eq(c->nodes[0].provider, "local");
	ck_assert_str_eq(c->nodes[0].state, "UNKNOWN");
	ck_assert_uint_eq(c->nodes[0].cpus, 0);
	ck_assert_uint_eq(c->n_parts, 1);
	ck_assert_str_eq(c->parts[0].name, "debug");
	ck_assert_str_eq(c->parts[0].nodes, "ALL");
	ck_assert(c->parts[0].is_default);
	ck_assert_uint_eq(c->parts[0].max_time_min, SKY_INFINITE);
	ck_assert_uint_eq(c->parts[0].default_time_min, SKY_NO_VAL);
	ck_assert_uint_eq(c->parts[0].max_nodes, SKY_INFINITE);
	ck_assert_uint_eq(c->parts[0].min_nodes, 1);
	ck_assert_str_eq(c->parts[0].state, "UP");
	ck_assert_ptr_eq(conf_default_partition(c), &c->parts[0]);
	free(host);
	conf_free(c);
}
END_TEST

START_TEST(test_global_keys)
{
	struct sky_conf *c = load_ok(
		"ClusterName=alpha\n"
		"SlurmctldHost=ctl1(10.0.0.1)\n"
		"SlurmctldHost=ctl2(10.0.0.2)\n"   /* a backup: ignored */
		"SlurmctldPort=6817 SlurmdPort=6818\n"
		"SlurmctldSocket=/run/sky/ctld.sock\n"
		"StateSaveLocation=/var/lib/sky\n"
		"SlurmdSpoolDir=/var/spool/sky/%n\n"
		"SlurmctldLogFile=/var/log/ctld.log SlurmdLogFile=/var/log/slurmd-%n.log\n"
		"SlurmctldPidFile=/run/ctld.pid SlurmdPidFile=/run/slurmd-%n.pid\n"
		"SlurmctldDebug=debug SlurmdDebug=2\n"
		"AuthType=auth/munge\n"
		"AuthInfo=socket=/run/munge/alt.sock,ttl=60\n"
		"SlurmUser=slurm\n"
		"KillWait=5 MinJobAge=2 MaxJobCount=50 FirstJobId=1000 MaxJobId=2000\n"
		"MessageTimeout=3 SlurmdTimeout=40 InactiveLimit=7\n"
		"JobRequeue=0\n"
		"SchedulerParameters=bf_continue,max_script_size=1048576,default_queue_depth=100\n"
		"DefMemPerCPU=512 DefMemPerNode=2048 MaxArraySize=5\n");

	ck_assert_str_eq(c->cluster_name, "alpha");
	ck_assert_str_eq(c->ctld_host, "ctl1");
	ck_assert_str_eq(c->ctld_addr, "10.0.0.1");
	ck_assert_uint_eq(c->ctld_port, 6817);
	ck_assert_uint_eq(c->slurmd_port, 6818);
	ck_assert_str_eq(c->ctld_socket, "/run/sky/ctld.sock");
	ck_assert_str_eq(c->state_dir, "/var/lib/sky");
	ck_assert_str_eq(c->spool_dir, "/var/spool/sky/%n");
	ck_assert_str_eq(c->ctld_log, "/var/log/ctld.log");
	ck_assert_str_eq(c->slurmd_log, "/var/log/slurmd-%n.log");
	ck_assert_str_eq(c->ctld_pidfile, "/run/ctld.pid");
	ck_assert_str_eq(c->slurmd_pidfile, "/run/slurmd-%n.pid");
	ck_assert_int_eq(c->ctld_debug, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(c->slurmd_debug, LOG_LEVEL_ERROR);
	ck_assert_str_eq(c->munge_socket, "/run/munge/alt.sock");
	ck_assert_uint_eq(c->auth_ttl, 60);
	ck_assert_str_eq(c->slurm_user, "slurm");
	ck_assert_uint_eq(c->kill_wait, 5);
	ck_assert_uint_eq(c->min_job_age, 2);
	ck_assert_uint_eq(c->max_job_count, 50);
	ck_assert_uint_eq(c->first_job_id, 1000);
	ck_assert_uint_eq(c->max_job_id, 2000);
	ck_assert_uint_eq(c->message_timeout, 3);
	ck_assert_uint_eq(c->slurmd_timeout, 40);
	ck_assert_uint_eq(c->inactive_limit, 7);
	ck_assert(!c->job_requeue);
	ck_assert_uint_eq(c->max_script_size, 1048576);
	ck_assert_str_eq(c->sched_params, "bf_continue,max_script_size=1048576,default_queue_depth=100");
	ck_assert_uint_eq(c->def_mem_per_cpu_mb, 512);
	ck_assert_uint_eq(c->def_mem_per_node_mb, 2048);
	ck_assert_uint_eq(c->max_array_size, 5);
	conf_free(c);
}
END_TEST

START_TEST(test_syntax)
{
	/* Case-insensitive keys, several per line, comments, continuations,
	 * quotes, spaces around '=', CRLF line ends and "\#". */
	struct sky_conf *c = load_ok(
		"# a comment line\n"
		"   \n"
		"clustername=lower KILLWAIT=9   # trailing comment\r\n"
		"MinJobAge = 11\n"
		"SlurmUser=\\\n"
		"slurm\n"
		"NodeName=n[1-2] \\\n"
		"   CPUs=4 \\\n"
		"   Reason=\"down for # maintenance\"\n"
		"SlurmctldHost=ctl\\#1\n");

	ck_assert_str_eq(c->cluster_name, "lower");
	ck_assert_uint_eq(c->kill_wait, 9);
	ck_assert_uint_eq(c->min_job_age, 11);
	ck_assert_str_eq(c->slurm_user, "slurm");
	ck_assert_uint_eq(c->n_nodes, 1);
	ck_assert_str_eq(c->nodes[0].names, "n[1-2]");
	ck_assert_uint_eq(c->nodes[0].cpus, 4);
	ck_assert_str_eq(c->nodes[0].reason, "down for # maintenance");
	ck_assert_int_eq(c->nodes[0].line, 7);
	ck_assert_str_eq(c->ctld_host, "ctl#1");
	conf_free(c);

	/* "Key= Next=x" leaves Key empty rather than swallowing Next. */
	c = load_ok("SlurmUser= ClusterName=x\n");
	ck_assert_ptr_null(c->slurm_user);
	ck_assert_str_eq(c->cluster_name, "x");
	conf_free(c);
}
END_TEST

START_TEST(test_booleans_and_debug_levels)
{
	static const struct { const char *v; bool b; } bools[] = {
		{ "YES", true }, { "yes", true }, { "TRUE", true }, { "1", true },
		{ "NO", false }, { "no", false }, { "FALSE", false }, { "0", false },
	};
	static const struct { const char *v; int lvl; } levels[] = {
		{ "quiet", LOG_LEVEL_QUIET }, { "fatal", LOG_LEVEL_FATAL },
		{ "error", LOG_LEVEL_ERROR }, { "info", LOG_LEVEL_INFO },
		{ "verbose", LOG_LEVEL_VERBOSE }, { "debug", LOG_LEVEL_DEBUG },
		{ "debug2", LOG_LEVEL_DEBUG2 }, { "DEBUG5", LOG_LEVEL_DEBUG2 },
		{ "0", LOG_LEVEL_QUIET }, { "3", LOG_LEVEL_INFO }, { "4", LOG_LEVEL_VERBOSE },
		{ "5", LOG_LEVEL_DEBUG }, { "9", LOG_LEVEL_DEBUG2 },
	};

	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		char *t = xasprintf("JobRequeue=%s\n", bools[i].v);
		struct sky_conf *c = load_ok(t);
		ck_assert_msg(c->job_requeue == bools[i].b, "JobRequeue=%s", bools[i].v);
		conf_free(c);
		free(t);
	}
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		char *t = xasprintf("SlurmctldDebug=%s SlurmdDebug=%s\n", levels[i].v, levels[i].v);
		struct sky_conf *c = load_ok(t);
		ck_assert_msg(c->ctld_debug == levels[i].lvl, "SlurmctldDebug=%s", levels[i].v);
		ck_assert_int_eq(c->slurmd_debug, levels[i].lvl);
		conf_free(c);
		free(t);
	}
	assert_error("JobRequeue=maybe\n", "1: invalid value 'maybe' for JobRequeue");
	assert_error("\nSlurmctldDebug=loud\n", "2: invalid value 'loud' for SlurmctldDebug");
	assert_error("SlurmdDebug=10\n", "1: invalid value '10' for SlurmdDebug");
}
END_TEST

START_TEST(test_errors_name_file_and_line)
{
	assert_error("ClusterName=a\n\nFoo=bar\n", "3: unknown key 'Foo'");
	assert_error("KillWait=abc\n", "1: invalid value 'abc' for KillWait");
	assert_error("KillWait=-1\n", "1: invalid value '-1' for KillWait");
	assert_error("KillWait=4294967296\n", "1: invalid value '4294967296' for KillWait");
	assert_error("KillWait=\n", "1: invalid value '' for KillWait");
	assert_error("SlurmctldPort=70000\n", "1: invalid value '70000' for SlurmctldPort");
	assert_error("# x\nAuthType=auth/jwt\n",
		     "2: AuthType 'auth/jwt' is not supported (slurm-sky supports auth/munge)");
	assert_error("AuthInfo=ttl=x\n", "1: invalid value 'ttl=x' for AuthInfo");
	assert_error("SchedulerParameters=max_script_size=big\n",
		     "1: invalid value 'max_script_size=big' for SchedulerParameters");
	assert_error("SlurmctldHost=ctl(10.0.0.1\n", "1: invalid value 'ctl(10.0.0.1' for SlurmctldHost");
	assert_error("SlurmctldHost=(10.0.0.1)\n", "1: invalid value '(10.0.0.1)' for SlurmctldHost");
	assert_error("ClusterName\n", "1: expected Key=Value, found 'ClusterName'");
	assert_error("=x\n", "1: expected Key=Value, found '=x'");
	assert_error("SlurmUser=\"slurm\n", "1: unterminated quote in '\"slurm'");
	/* A continued line reports where it started. */
	assert_error("ClusterName=a\nNodeName=n1 \\\n  CPUs=x\n", "2: invalid value 'x' for CPUs");
	/* Global keys do not belong on record lines. */
	assert_error("NodeName=n1 ClusterName=x\n", "1: unknown key 'ClusterName'");
	assert_error("PartitionName=p Nodes=ALL Bogus=1\n", "1: unknown key 'Bogus'");
	assert_error("Include\n", "1: Include needs a file name");
}
END_TEST

START_TEST(test_error_leaves_out_untouched)
{
	struct sky_errbuf eb = { 0 };
	struct sky_conf *c = NULL;

	ck_assert_int_eq(conf_load_string("Foo=1\n", "x.conf", &c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(eb.msg, "x.conf:1: unknown key 'Foo'");
}
END_TEST

START_TEST(test_unimplemented_slurm_keys_accepted)
{
	/* The body of a typical site slurm.conf, minus what slurm-sky implements. */
	struct sky_conf *c = load_ok(
		"ProctrackType=proctrack/cgroup\n"
		"TaskPlugin=task/affinity,task/cgroup\n"
		"SelectType=select/cons_tres\n"
		"SelectTypeParameters=CR_Core_Memory\n"
		"SwitchType=switch/none\n"
		"MpiDefault=none\n"
		"ReturnToService=2\n"
		"SlurmdUser=root\n"
		"SlurmctldTimeout=120\n"
		"SchedulerType=sched/backfill\n"
		"PriorityType=priority/multifactor PriorityWeightAge=1000 PriorityWeightFairshare=10000\n"
		"AccountingStorageType=accounting_storage/slurmdbd AccountingStorageHost=dbd\n"
		"JobCompType=jobcomp/none\n"
		"JobAcctGatherType=jobacct_gather/linux JobAcctGatherFrequency=30\n"
		"GresTypes=gpu\n"
		"Epilog=/etc/slurm/epilog Prolog=/etc/slurm/prolog\n"
		"PropagateResourceLimitsExcept=MEMLOCK\n"
		"ResumeProgram=/usr/sbin/resume SuspendProgram=/usr/sbin/suspend\n"
		"SuspendTime=300 ResumeTimeout=600 TreeWidth=50\n"
		"DebugFlags=Backfill,Gres\n"
		"CredType=cred/munge LaunchParameters=use_interactive_step\n"
		"SlurmctldParameters=enable_configless MaxTasksPerNode=512\n"
		"HealthCheckProgram=/usr/sbin/nhc HealthCheckInterval=300\n"
		"DownNodes=n9 State=DOWN Reason=\"dead\"\n"
		"NodeName=n1 CPUs=4 CoreSpecCount=1 MemSpecLimit=1024\n"
		"PartitionName=p Nodes=n1 AllowGroups=ALL PreemptMode=OFF QOS=normal\n");

	ck_assert_uint_eq(c->n_nodes, 1);
	ck_assert_uint_eq(c->n_parts, 1);
	conf_free(c);
}
END_TEST

START_TEST(test_nodes)
{
	struct sky_conf *c = load_ok(
		"NodeName=DEFAULT CPUs=8 RealMemory=16000 State=CLOUD\n"
		"NodeName=gpu[1-2] NodeAddr=10.1.0.[1-2] Gres=gpu:a100:4 Feature=gpu,big Provider=aws\n"
		"NodeName=cpu1 NodeHostname=cpu1.example CPUs=2 Sockets=1 CoresPerSocket=2 "
		"ThreadsPerCore=1 Boards=1 TmpDisk=100 Weight=5 Port=7000 State=idle "
		"Reason=\"new node\"\n"
		"NodeName=DEFAULT CPUs=1\n"
		"NodeName=tiny\n");

	ck_assert_uint_eq(c->n_nodes, 3);
	ck_assert_str_eq(c->nodes[0].names, "gpu[1-2]");
	ck_assert_str_eq(c->nodes[0].addr, "10.1.0.[1-2]");
	ck_assert_uint_eq(c->nodes[0].cpus, 8);
	ck_assert_uint_eq(c->nodes[0].real_memory_mb, 16000);
	ck_assert_str_eq(c->nodes[0].state, "CLOUD");
	ck_assert_str_eq(c->nodes[0].gres, "gpu:a100:4");
	ck_assert_str_eq(c->nodes[0].features, "gpu,big");
	ck_assert_str_eq(c->nodes[0].provider, "aws");
	ck_assert_str_eq(c->nodes[0].file, FAKE);
	ck_assert_int_eq(c->nodes[0].line, 2);
	ck_assert_uint_eq(c->nodes[0].weight, 1);

	ck_assert_str_eq(c->nodes[1].hostname, "cpu1.example");
	ck_assert_uint_eq(c->nodes[1].cpus, 2);
	ck_assert_uint_eq(c->nodes[1].real_memory_mb, 16000);
	ck_assert_uint_eq(c->nodes[1].sockets, 1);
	ck_assert_uint_eq(c->nodes[1].cores_per_socket, 2);
	ck_assert_uint_eq(c->nodes[1].threads_per_core, 1);
	ck_assert_uint_eq(c->nodes[1].boards, 1);
	ck_assert_uint_eq(c->nodes[1].tmp_disk_mb, 100);
	ck_assert_uint_eq(c->nodes[1].weight, 5);
	ck_assert_uint_eq(c->nodes[1].port, 7000);
	ck_assert_str_eq(c->nodes[1].state, "IDLE");
	ck_assert_str_eq(c->nodes[1].reason, "new node");
	ck_assert_str_eq(c->nodes[1].provider, "local");

	/* A later DEFAULT changes only what follows it. */
	ck_assert_uint_eq(c->nodes[2].cpus, 1);
	ck_assert_uint_eq(c->nodes[2].real_memory_mb, 16000);
	ck_assert_str_eq(c->nodes[2].state, "CLOUD");
	ck_assert_ptr_null(c->nodes[2].gres);
	conf_free(c);

	/* NodeName=DEFAULT also shapes the implicit node. */
	c = load_ok("NodeName=DEFAULT CPUs=3\n");
	ck_assert_uint_eq(c->n_nodes, 1);
	ck_assert_uint_eq(c->nodes[0].cpus, 3);
	conf_free(c);
}
END_TEST

START_TEST(test_node_errors)
{
	assert_error("NodeName=n1 State=BROKEN\n", "1: invalid value 'BROKEN' for State");
	assert_error("NodeName=n[1-\n", "1: invalid value 'n[1-' for NodeName");
	assert_error("NodeName=\n", "1: invalid value '' for NodeName");
	assert_error("NodeName=n[1-3] NodeAddr=a[1-2]\n",
		     "1: NodeAddr 'a[1-2]' does not name one address per node of 'n[1-3]'");
	assert_error("NodeName=n[1-3]\n\nNodeName=n3\n",
		     "3: node 'n3' is already defined at " FAKE ":1");
	assert_error("NodeName=a CPUs=4294967296\n", "1: invalid value '4294967296' for CPUs");
	assert_error("NodeName=a Port=65536\n", "1: invalid value '65536' for Port");
}
END_TEST

START_TEST(test_partitions)
{
	const struct conf_partition *pt;
	struct sky_conf *c = load_ok(
		"NodeName=n[1-4]\n"
		"PartitionName=DEFAULT MaxTime=2:00:00 State=UP\n"
		"PartitionName=short Nodes=n[1-2] MaxTime=30 DefaultTime=10 MaxNodes=2 MinNodes=1\n"
		"PartitionName=long Nodes=all Default=YES MaxTime=UNLIMITED MaxNodes=UNLIMITED "
		"PriorityTier=10 PriorityJobFactor=5 DefMemPerCPU=100 DefMemPerNode=1000\n"
		"PartitionName=excl Nodes=n[3-4],n1 OverSubscribe=EXCLUSIVE Hidden=YES State=drain "
		"MaxTime=1-00:00:00\n"
		"PartitionName=old Nodes=n1 Priority=7 Shared=FORCE:4 State=INACTIVE\n"
		"PartitionName=none\n");

	ck_assert_uint_eq(c->n_parts, 5);
	pt = conf_find_partition(c, "short");
	ck_assert_ptr_nonnull(pt);
	ck_assert_str_eq(pt->nodes, "n[1-2]");
	ck_assert_uint_eq(pt->max_time_min, 30);
	ck_assert_uint_eq(pt->default_time_min, 10);
	ck_assert_uint_eq(pt->max_nodes, 2);
	ck_assert_uint_eq(pt->min_nodes, 1);
	ck_assert(!pt->is_default);
	ck_assert_int_eq(pt->line, 3);

	pt = conf_find_partition(c, "long");
	ck_assert_str_eq(pt->nodes, "ALL");
	ck_assert(pt->is_default);
	ck_assert_uint_eq(pt->max_time_min, SKY_INFINITE);
	ck_assert_uint_eq(pt->default_time_min, SKY_NO_VAL);
	ck_assert_uint_eq(pt->max_nodes, SKY_INFINITE);
	ck_assert_uint_eq(pt->priority_tier, 10);
	ck_assert_uint_eq(pt->priority_job_factor, 5);
	ck_assert_uint_eq(pt->def_mem_per_cpu_mb, 100);
	ck_assert_uint_eq(pt->def_mem_per_node_mb, 1000);
	ck_assert_ptr_eq(conf_default_partition(c), pt);

	pt = conf_find_partition(c, "excl");
	ck_assert(pt->oversubscribe_exclusive);
	ck_assert(pt->hidden);
	ck_assert_str_eq(pt->state, "DRAIN");
	ck_assert_uint_eq(pt->max_time_min, 1440);

	pt = conf_find_partition(c, "old");
	ck_assert_uint_eq(pt->priority_tier, 7);
	ck_assert_uint_eq(pt->priority_job_factor, 7);
	ck_assert(!pt->oversubscribe_exclusive);
	ck_assert_str_eq(pt->state, "INACTIVE");
	ck_assert_uint_eq(pt->max_time_min, 120);   /* from PartitionName=DEFAULT */

	pt = conf_find_partition(c, "none");
	ck_assert_ptr_null(pt->nodes);
	ck_assert_ptr_null(conf_find_partition(c, "SHORT"));
	ck_assert_ptr_null(conf_find_partition(c, "missing"));
	conf_free(c);
}
END_TEST

START_TEST(test_default_partition_choice)
{
	struct sky_conf *c = load_ok("PartitionName=a Nodes=ALL\nPartitionName=b Nodes=ALL\n");

	ck_assert_str_eq(conf_default_partition(c)->name, "a");   /* none marked: first */
	conf_free(c);
	c = load_ok("PartitionName=a Default=YES\nPartitionName=b Default=YES\nPartitionName=c\n");
	ck_assert_str_eq(conf_default_partition(c)->name, "b");   /* last Default=YES wins */
	ck_assert(!conf_find_partition(c, "a")->is_default);
	conf_free(c);
	ck_assert_ptr_null(conf_default_partition(NULL));
}
END_TEST

START_TEST(test_partition_errors)
{
	assert_error("NodeName=n[1-2]\n# x\nPartitionName=p Nodes=n[1-3]\n",
		     "3: partition 'p' uses node 'n3' that no NodeName line defines");
	/* Checked after the whole file: nodes may be defined after the partition. */
	{
		struct sky_conf *c = load_ok("PartitionName=p Nodes=late1\nNodeName=late1\n");
		conf_free(c);
	}
	assert_error("NodeName=a\nPartitionName=p Nodes=a\nPartitionName=p Nodes=a\n",
		     "3: partition 'p' is already defined at " FAKE ":2");
	assert_error("PartitionName=p MaxTime=forever\n", "1: invalid value 'forever' for MaxTime");
	assert_error("PartitionName=p DefaultTime=1:\n", "1: invalid value '1:' for DefaultTime");
	assert_error("PartitionName=p MaxNodes=lots\n", "1: invalid value 'lots' for MaxNodes");
	assert_error("PartitionName=p State=OPEN\n", "1: invalid value 'OPEN' for State");
	assert_error("PartitionName=p OverSubscribe=SOMETIMES\n",
		     "1: invalid value 'SOMETIMES' for OverSubscribe");
	assert_error("PartitionName=p OverSubscribe=EXCLUSIVE:2\n",
		     "1: invalid value 'EXCLUSIVE:2' for OverSubscribe");
	assert_error("PartitionName=p Default=perhaps\n", "1: invalid value 'perhaps' for Default");
	assert_error("PartitionName=p Nodes=x[1-\n", "1: invalid value 'x[1-' for Nodes");
	assert_error("PartitionName=\n", "1: invalid value '' for PartitionName");
}
END_TEST

START_TEST(test_nodesets)
{
	struct sky_conf *c = load_ok(
		"NodeName=g[1-2] Feature=gpu\n"
		"NodeName=c[1-3] Feature=cpu,big\n"
		"NodeName=x1 Feature=big\n"
		"NodeSet=gpus Feature=gpu\n"
		"NodeSet=bigs Feature=big\n"
		"NodeSet=some Nodes=c[1-2]\n"
		"PartitionName=g Nodes=gpus\n"
		"PartitionName=b Nodes=bigs,g1\n"
		"PartitionName=s Nodes=some\n");

	ck_assert_str_eq(conf_find_partition(c, "g")->nodes, "g[1-2]");
	ck_assert_str_eq(conf_find_partition(c, "b")->nodes, "c[1-3],x1,g1");
	ck_assert_str_eq(conf_find_partition(c, "s")->nodes, "c[1-2]");
	conf_free(c);
}
END_TEST

START_TEST(test_paths_relative_to_home)
{
	struct sky_conf *c = load_ok("StateSaveLocation=st\nSlurmdSpoolDir=./spool/%n\n"
				     "SlurmctldLogFile=log/ctld.log SlurmctldSocket=/abs/s.sock\n");

	ck_assert_str_eq(c->state_dir, FAKE_DIR "/st");
	ck_assert_str_eq(c->spool_dir, FAKE_DIR "/spool/%n");
	ck_assert_str_eq(c->ctld_log, FAKE_DIR "/log/ctld.log");
	ck_assert_str_eq(c->ctld_socket, "/abs/s.sock");
	conf_free(c);

	c = load_ok("SlurmSkyHome=/srv/sky\nStateSaveLocation=st\n");
	ck_assert_str_eq(c->home, "/srv/sky");
	ck_assert_str_eq(c->state_dir, "/srv/sky/st");
	ck_assert_str_eq(c->ctld_socket, "/srv/sky/slurmctld.sock");
	ck_assert_str_eq(c->spool_dir, "/srv/sky/spool/%n");
	conf_free(c);

	/* A relative home is relative to the config file's directory; order does not matter. */
	c = load_ok("StateSaveLocation=st\nSlurmSkyHome=run\n");
	ck_assert_str_eq(c->home, FAKE_DIR "/run");
	ck_assert_str_eq(c->state_dir, FAKE_DIR "/run/st");
	conf_free(c);
}
END_TEST

START_TEST(test_load_file_and_include)
{
	char *dir = unit_tmpdir(), *main_path, *sub, *p1, *p2, *real;
	struct sky_errbuf eb = { 0 };
	struct sky_conf *c = NULL;
	char buf[PATH_MAX];

	sub = xasprintf("%s/conf.d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	p1 = unit_write_file(dir, "nodes.conf", "NodeName=n[1-2] CPUs=2\n");
	p2 = unit_write_file(sub, "a.conf", "\nPartitionName=p Nodes=n1\n");
	free(unit_write_file(sub, "b.conf", "KillWait=77\n"));
	main_path = unit_write_file(dir, "slurm.conf",
				    "ClusterName=files\n"
				    "Include nodes.conf\n"
				    "include \"conf.d/*.conf\"\n"
				    "Include conf.d/none-*.conf\n");
	ck_assert_ok(conf_load(main_path, &c, &eb), &eb);
	ck_assert_ptr_nonnull(realpath(dir, buf));
	real = xstrdup(buf);
	ck_assert_str_eq(c->home, real);
	ck_assert_str_eq(c->path, main_path);
	ck_assert_str_eq(c->cluster_name, "files");
	ck_assert_uint_eq(c->kill_wait, 77);
	ck_assert_uint_eq(c->n_nodes, 1);
	ck_assert_str_eq(c->nodes[0].file, p1);
	ck_assert_int_eq(c->nodes[0].line, 1);
	ck_assert_uint_eq(c->n_parts, 1);
	ck_assert_str_eq(c->parts[0].file, p2);
	ck_assert_int_eq(c->parts[0].line, 2);
	conf_free(c);

	/* An error inside an included file names that file and line. */
	free(unit_write_file(sub, "b.conf", "KillWait=77\n\n\nBogus=1\n"));
	c = NULL;
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load(main_path, &c, &eb), SKY_E_CONFIG);
	ck_assert_ptr_null(c);
	{
		char *want = xasprintf("%s/b.conf:4: unknown key 'Bogus'", sub);
		ck_assert_str_eq(eb.msg, want);
		free(want);
	}

	/* A missing include is an error at the Include line. */
	free(main_path);
	main_path = unit_write_file(dir, "slurm.conf", "ClusterName=x\nInclude missing.conf\n");
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load(main_path, &c, &eb), SKY_E_CONFIG);
	ck_assert_msg(strncmp(eb.msg, main_path, strlen(main_path)) == 0 &&
		      strstr(eb.msg, ":2: cannot read included file ") &&
		      strstr(eb.msg, "missing.conf"), "message '%s'", eb.msg);

	/* A file including itself stops at the nesting limit. */
	free(main_path);
	main_path = unit_write_file(dir, "slurm.conf", "Include slurm.conf\n");
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load(main_path, &c, &eb), SKY_E_CONFIG);
	ck_assert_msg(strstr(eb.msg, "Include nested more than") != NULL, "message '%s'", eb.msg);

	/* A missing top file is an I/O error naming it. */
	free(main_path);
	main_path = xasprintf("%s/absent.conf", dir);
	sky_err_clear(&eb);
	ck_assert_int_eq(conf_load(main_path, &c, &eb), SKY_E_IO);
	ck_assert_msg(strstr(eb.msg, main_path) != NULL, "message '%s'", eb.msg);
	ck_assert_int_eq(conf_load(NULL, &c, NULL), SKY_E_CONFIG);

	unit_rmtree(dir);
	free(real);
	free(main_path);
	free(p1);
	free(p2);
	free(sub);
	free(dir);
}
END_TEST

START_TEST(test_default_path)
{
	char *dir = unit_tmpdir(), *a, *b, *home, *p;

	a = unit_write_file(dir, "a.conf", "");
	b = unit_write_file(dir, "b.conf", "");
	home = xasprintf("%s/home", dir);
	unsetenv("SLURM_SKY_CONF");
	unsetenv("SLURM_CONF");
	unsetenv("SLURM_SKY_HOME");
	setenv("HOME", home, 1);

	setenv("SLURM_SKY_CONF", a, 1);
	setenv("SLURM_CONF", b, 1);
	p = conf_default_path();
	ck_assert_str_eq(p, a);
	free(p);

	setenv("SLURM_SKY_CONF", "/nonexistent-sky/x.conf", 1);
	p = conf_default_path();
	ck_assert_str_eq(p, b);               /* first that exists */
	free(p);

	unsetenv("SLURM_CONF");
	setenv("SLURM_SKY_HOME", dir, 1);
	{
		char *want = unit_write_file(dir, "slurm.conf", "");
		p = conf_default_path();
		ck_assert_str_eq(p, want);
		free(p);
		free(want);
	}

	unsetenv("SLURM_SKY_HOME");
	p = conf_default_path();
	ck_assert_str_eq(p, "/nonexistent-sky/x.conf");   /* none exists: the first set */
	free(p);

	unsetenv("SLURM_SKY_CONF");
	ck_assert_int_eq(mkdir(home, 0700), 0);
	{
		char *hd = xasprintf("%s/.slurm-sky", home), *want;
		ck_assert_int_eq(mkdir(hd, 0700), 0);
		want = unit_write_file(hd, "slurm.conf", "");
		p = conf_default_path();
		ck_assert_str_eq(p, want);
		free(p);
		free(want);
		free(hd);
	}
	unit_rmtree(dir);
	free(a);
	free(b);
	free(home);
	free(dir);
}
END_TEST

START_TEST(test_node_path)
{
	char *host = short_host(), *p, *want;

	p = conf_node_path("/var/spool/%n", "n1");
	ck_assert_str_eq(p, "/var/spool/n1");
	free(p);
	p = conf_node_path("/l/%n-%h-%n.log", "gpu7");
	want = xasprintf("/l/gpu7-%s-gpu7.log", host);
	ck_assert_str_eq(p, want);
	free(p);
	free(want);
	p = conf_node_path("/x/%j%", "n");
	ck_assert_str_eq(p, "/x/%j%");
	free(p);
	p = conf_node_path("", "n");
	ck_assert_str_eq(p, "");
	free(p);
	ck_assert_ptr_null(conf_node_path(NULL, "n"));
	free(host);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_global_keys);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_booleans_and_debug_levels);
	tcase_add_test(tc, test_errors_name_file_and_line);
	tcase_add_test(tc, test_error_leaves_out_untouched);
	tcase_add_test(tc, test_unimplemented_slurm_keys_accepted);
	tcase_add_test(tc, test_nodes);
	tcase_add_test(tc, test_node_errors);
	tcase_add_test(tc, test_partitions);
	tcase_add_test(tc, test_default_partition_choice);
	tcase_add_test(tc, test_partition_errors);
	tcase_add_test(tc, test_nodesets);
	tcase_add_test(tc, test_paths_relative_to_home);
	tcase_add_test(tc, test_load_file_and_include);
	tcase_add_test(tc, test_default_path);
	tcase_add_test(tc, test_node_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(conf_suite());
}
