/*
 * spool_hw_test.c: the spool (layout, atomic files, what an agent finds at
 * start), /proc helpers, and hardware detection from an hwloc XML topology.
 */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hw_detect.h"
#include "proc.h"
#include "spool.h"
#include "unit.h"

static Sky__LaunchJob *make_launch(uint32_t id, const char *script)
{
	static Sky__JobRecord job;
	static Sky__JobDesc desc;
	static Sky__LaunchJob lj;

	sky__job_record__init(&job);
	sky__job_desc__init(&desc);
	sky__launch_job__init(&lj);
	job.job_id = id;
	job.user_id = getuid();
	job.group_id = getgid();
	job.desc = &desc;
	lj.job_id = id;
	lj.job = &job;
	lj.script.data = (uint8_t *)script;
	lj.script.len = strlen(script);
	return &lj;
}

static mode_t mode_of(const char *dir, const char *name)
{
	char *p = name ? xasprintf("%s/%s", dir, name) : xstrdup(dir);
	struct stat st;

	ck_assert_msg(stat(p, &st) == 0, "%s missing", p);
	free(p);
	return st.st_mode & 07777;
}

START_TEST(test_job_create_layout)
{
	char *tmp = unit_tmpdir(), *dir = NULL, *tmpf;
	struct sky_errbuf eb;
	Sky__LaunchJob *back = NULL;
	uint8_t *data = NULL;
	size_t len = 0;

	sky_err_clear(&eb);
	ck_assert_ok(spool_job_create(tmp, make_launch(7, "#!/bin/sh\ntrue\n"), getuid(), getgid(),
				      &dir, &eb), &eb);
	ck_assert_str_eq(strrchr(dir, '/'), "/job7");
	ck_assert_uint_eq(mode_of(dir, NULL), 0711);
	ck_assert_uint_eq(mode_of(dir, "script"), 0700);
	ck_assert_uint_eq(mode_of(dir, "launch"), 0600);
	ck_assert_ok(spool_read_all(dir, "script", 1024, &data, &len, &eb), &eb);
	ck_assert_str_eq((char *)data, "#!/bin/sh\ntrue\n");
	free(data);
	/* the launch record keeps everything but a second copy of the script */
	ck_assert_ok(spool_read_launch(dir, &back, &eb), &eb);
	ck_assert_uint_eq(back->job_id, 7);
	ck_assert_uint_eq(back->job->job_id, 7);
	ck_assert_uint_eq(back->script.len, 0);
	sky__launch_job__free_unpacked(back, NULL);
	tmpf = xasprintf("%s/launch.tmp", dir);
	ck_assert_msg(access(tmpf, F_OK) < 0, "temporary file left behind");
	free(tmpf);
	/* a second create of the same job replaces the stale directory */
	free(dir);
	ck_assert_ok(spool_job_create(tmp, make_launch(7, "#!/bin/sh\nfalse\n"), getuid(), getgid(),
				      &dir, &eb), &eb);
	ck_assert_ok(spool_read_all(dir, "script", 1024, &data, &len, &eb), &eb);
	ck_assert_str_eq((char *)data, "#!/bin/sh\nfalse\n");
	free(data);
	ck_assert_ok(spool_job_remove(dir, &eb), &eb);
	ck_assert_msg(access(dir, F_OK) < 0, "job directory not removed");
	free(dir);
	unit_rmtree(tmp);
	free(tmp);
}
END_TEST

START_TEST(test_result_and_pid_files)
{
	char *tmp = unit_tmpdir();
	struct sky_errbuf eb;
	Sky__JobComplete jc = SKY__JOB_COMPLETE__INIT, *back = NULL;
	pid_t pid = 0;
	uint64_t start = 0;

	sky_err_clear(&eb);
	ck_assert_int_eq(spool_read_result(tmp, &back, NULL), SKY_E_NOT_FOUND);
	jc.job_id = 9;
	jc.state = SKY__JOB_STATE__JOB_TIMEOUT;
	jc.has_exit_status = true;
	jc.exit_status = 9;
	jc.message = "why";
	ck_assert_ok(spool_write_result(tmp, &jc, &eb), &eb);
	ck_assert_ok(spool_read_result(tmp, &back, &eb), &eb);
	ck_assert_uint_eq(back->job_id, 9);
	ck_assert_int_eq(back->state, SKY__JOB_STATE__JOB_TIMEOUT);
	ck_assert_int_eq(back->exit_status, 9);
	ck_assert_str_eq(back->message, "why");
	sky__job_complete__free_unpacked(back, NULL);

	ck_assert_int_eq(spool_read_pid(tmp, SPOOL_SUPERVISOR, &pid, &start, NULL), SKY_E_NOT_FOUND);
	ck_assert_ok(spool_write_pid(tmp, SPOOL_SUPERVISOR, 1234, 98765, &eb), &eb);
	ck_assert_ok(spool_read_pid(tmp, SPOOL_SUPERVISOR, &pid, &start, &eb), &eb);
	ck_assert_int_eq(pid, 1234);
	ck_assert_uint_eq(start, 98765);
	free(unit_write_file(tmp, "jobpid", "garbage"));
	ck_assert_int_eq(spool_read_pid(tmp, SPOOL_JOBPID, &pid, &start, NULL), SKY_E_PROTOCOL);
	unit_rmtree(tmp);
	free(tmp);
}
END_TEST

/* A pid that existed and is gone (reaped). */
static pid_t dead_pid(uint64_t *start)
{
	pid_t c = fork();
	int st;

	if (c == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(proc_start_time(c, start), 0);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return c;
}

static const struct spool_job *find_job(const struct spool_job *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].job_id == id)
			return &v[i];
	return NULL;
}

START_TEST(test_scan_classifies_job_dirs)
{
	char *tmp = unit_tmpdir(), *d;
	struct sky_errbuf eb;
	struct spool_job *v = NULL;
	Sky__JobComplete jc = SKY__JOB_COMPLETE__INIT;
	uint64_t my_start = 0, dead_start = 0;
	pid_t dead;
	size_t n = 0;

	sky_err_clear(&eb);
	ck_assert_int_eq(proc_start_time(getpid(), &my_start), 0);
	dead = dead_pid(&dead_start);
	/* 1: finished */
	d = NULL;
	ck_assert_ok(spool_job_create(tmp, make_launch(1, "#!/bin/sh\n"), getuid(), getgid(), &d, &eb), &eb);
	jc.job_id = 1;
	jc.state = SKY__JOB_STATE__JOB_COMPLETE;
	ck_assert_ok(spool_write_result(d, &jc, &eb), &eb);
	free(d);
	/* 2: running (its supervisor is this very process) */
	ck_assert_ok(spool_job_create(tmp, make_launch(2, "#!/bin/sh\n"), getuid(), getgid(), &d, &eb), &eb);
	ck_assert_ok(spool_write_pid(d, SPOOL_SUPERVISOR, getpid(), my_start, &eb), &eb);
	free(d);
	/* 3: lost: the recorded supervisor is dead */
	ck_assert_ok(spool_job_create(tmp, make_launch(3, "#!/bin/sh\n"), getuid(), getgid(), &d, &eb), &eb);
	ck_assert_ok(spool_write_pid(d, SPOOL_SUPERVISOR, dead, dead_start, &eb), &eb);
	free(d);
	/* 4: lost: a live pid, but another process (start time differs: pid reuse) */
	ck_assert_ok(spool_job_create(tmp, make_launch(4, "#!/bin/sh\n"), getuid(), getgid(), &d, &eb), &eb);
	ck_assert_ok(spool_write_pid(d, SPOOL_SUPERVISOR, getpid(), my_start + 1, &eb), &eb);
	free(d);
	/* 5: incomplete: no launch file */
	d = xasprintf("%s/job5", tmp);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	free(d);
	/* not job directories */
	d = xasprintf("%s/jobx", tmp);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	free(d);
	free(unit_write_file(tmp, "agent.lock", ""));

	ck_assert_ok(spool_scan(tmp, &v, &n, &eb), &eb);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(find_job(v, n, 1)->kind, SPOOL_JOB_FINISHED);
	ck_assert_uint_eq(find_job(v, n, 1)->result->job_id, 1);
	ck_assert_int_eq(find_job(v, n, 2)->kind, SPOOL_JOB_RUNNING);
	ck_assert_int_eq(find_job(v, n, 2)->sup_pid, getpid());
	ck_assert_int_eq(find_job(v, n, 3)->kind, SPOOL_JOB_LOST);
	ck_assert_int_eq(find_job(v, n, 4)->kind, SPOOL_JOB_LOST);
	ck_assert_int_eq(find_job(v, n, 5)->kind, SPOOL_JOB_INCOMPLETE);
	spool_jobs_free(v, n);

	/* a spool that does not exist yet is empty, not an error */
	d = xasprintf("%s/none", tmp);
	ck_assert_ok(spool_scan(d, &v, &n, &eb), &eb);
	ck_assert_uint_eq(n, 0);
	free(d);
	unit_rmtree(tmp);
	free(tmp);
}
END_TEST

START_TEST(test_proc_descendants)
{
	int pfd[2];
	pid_t child, grandchild = 0, *pids = NULL;
	size_t n = 0;
	bool found_c = false, found_g = false;
	int st;

	ck_assert_int_eq(pipe(pfd), 0);
	child = fork();
	if (child == 0) {
		pid_t g = fork();
		if (g == 0) {
			setsid();   /* a session of its own is still a descendant */
			pause();
			_exit(0);
		}
		if (write(pfd[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(pfd[0], &grandchild, sizeof(grandchild)), (ssize_t)sizeof(grandchild));
	proc_descendants(getpid(), &pids, &n);
	for (size_t i = 0; i < n; i++) {
		found_c |= pids[i] == child;
		found_g |= pids[i] == grandchild;
	}
	free(pids);
	kill(grandchild, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	ck_assert(found_c);
	ck_assert(found_g);
	ck_assert(proc_boot_time() > 1000000000);
}
END_TEST

START_TEST(test_gpu_count_families)
{
	const char *names[] = { "card0", "nvml0", "cuda0", "opencl0d0", "card1", "nvml1", "cuda1",
				"opencl0d1", "eth0", "sda" };
	const int gpu[] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	const char *amd[] = { "rsmi0", "rsmi1", "rsmi2", "opencl0d0" };
	const int amd_gpu[] = { 1, 1, 1, 1 };
	const char *none[] = { "card0", "eth0" };
	const int none_gpu[] = { 1, 0 };

	ck_assert_uint_eq(hw_count_gpus(names, gpu, 10), 2);
	ck_assert_uint_eq(hw_count_gpus(amd, amd_gpu, 4), 3);
	/* a display card alone (DRM "card0") is not a compute GPU */
	ck_assert_uint_eq(hw_count_gpus(none, none_gpu, 2), 0);
	ck_assert_uint_eq(hw_count_gpus(NULL, NULL, 0), 0);
}
END_TEST

/* 2 packages x 2 cores x 2 PUs, 1 GiB per NUMA node, optionally with GPUs. */
static char *topology_xml(int gpus)
{
	char *x = xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">\n<topology version=\"2.0\">\n"
			  "<object type=\"Machine\" os_index=\"0\" cpuset=\"0xff\" complete_cpuset=\"0xff\""
			  " allowed_cpuset=\"0xff\" nodeset=\"0x3\" complete_nodeset=\"0x3\""
			  " allowed_nodeset=\"0x3\" gp_index=\"1\">\n");
	int gp = 2;

	for (int p = 0; p < 2; p++) {
		xstrfmtcat(&x, "<object type=\"Package\" os_index=\"%d\" cpuset=\"0x%x\" complete_cpuset=\"0x%x\""
			   " nodeset=\"0x%x\" complete_nodeset=\"0x%x\" gp_index=\"%d\">\n",
			   p, 0xf << (4 * p), 0xf << (4 * p), 1 << p, 1 << p, gp++);
		xstrfmtcat(&x, "<object type=\"NUMANode\" os_index=\"%d\" cpuset=\"0x%x\" complete_cpuset=\"0x%x\""
			   " nodeset=\"0x%x\" complete_nodeset=\"0x%x\" gp_index=\"%d\" local_memory=\"1073741824\"/>\n",
			   p, 0xf << (4 * p), 0xf << (4 * p), 1 << p, 1 << p, gp++);
		for (int c = 0; c < 2; c++) {
			int core = p * 2 + c;
			xstrfmtcat(&x, "<object type=\"Core\" os_index=\"%d\" cpuset=\"0x%x\" complete_cpuset=\"0x%x\""
				   " nodeset=\"0x%x\" complete_nodeset=\"0x%x\" gp_index=\"%d\">\n",
				   core, 3 << (2 * core), 3 << (2 * core), 1 << p, 1 << p, gp++);
			for (int t = 0; t < 2; t++) {
				int pu = core * 2 + t;
				xstrfmtcat(&x, "<object type=\"PU\" os_index=\"%d\" cpuset=\"0x%x\" complete_cpuset=\"0x%x\""
					   " nodeset=\"0x%x\" complete_nodeset=\"0x%x\" gp_index=\"%d\"/>\n",
					   pu, 1 << pu, 1 << pu, 1 << p, 1 << p, gp++);
			}
			xstrfmtcat(&x, "</object>\n");
		}
		xstrfmtcat(&x, "</object>\n");
	}
	if (gpus) {
		xstrfmtcat(&x, "<object type=\"Bridge\" gp_index=\"%d\" bridge_type=\"0-1\" depth=\"0\""
			   " bridge_pci=\"0000:[00-08]\">\n", gp++);
		for (int g = 0; g < gpus; g++) {
			xstrfmtcat(&x, "<object type=\"PCIDev\" gp_index=\"%d\" pci_busid=\"0000:0%d:00.0\""
				   " pci_type=\"0302 [10de:20b0] [10de:1450] a1\" pci_link_speed=\"0.000000\">\n",
				   gp++, g + 1);
			xstrfmtcat(&x, "<object type=\"OSDev\" gp_index=\"%d\" name=\"card%d\" osdev_type=\"1\"/>\n", gp++, g);
			xstrfmtcat(&x, "<object type=\"OSDev\" gp_index=\"%d\" name=\"nvml%d\" osdev_type=\"1\"/>\n", gp++, g);
			xstrfmtcat(&x, "<object type=\"OSDev\" gp_index=\"%d\" name=\"cuda%d\" osdev_type=\"5\"/>\n", gp++, g);
			xstrfmtcat(&x, "</object>\n");
		}
		xstrfmtcat(&x, "</object>\n");
	}
	xstrfmtcat(&x, "</object>\n</topology>\n");
	return x;
}

static void detect_from(const char *xml, struct hw_info *hw)
{
	char *tmp = unit_tmpdir(), *path = unit_write_file(tmp, "topo.xml", xml);
	struct sky_errbuf eb;

	sky_err_clear(&eb);
	setenv("HWLOC_XMLFILE", path, 1);
	ck_assert_ok(hw_detect(hw, &eb), &eb);
	unsetenv("HWLOC_XMLFILE");
	unit_rmtree(tmp);
	free(tmp);
	free(path);
}

START_TEST(test_hw_detect_from_xml)
{
	struct hw_info hw;
	char *xml = topology_xml(0);
	struct sky_errbuf eb;

	detect_from(xml, &hw);
	free(xml);
	ck_assert_uint_eq(hw.cpus, 8);
	ck_assert_uint_eq(hw.sockets, 2);
	ck_assert_uint_eq(hw.cores_per_socket, 2);
	ck_assert_uint_eq(hw.threads_per_core, 2);
	ck_assert_uint_eq(hw.memory_mb, 2048);
	ck_assert_ptr_null(hw.gres);
	ck_assert_ptr_nonnull(hw.arch);
	hw_info_clear(&hw);

	xml = topology_xml(4);
	detect_from(xml, &hw);
	free(xml);
	ck_assert_uint_eq(hw.cpus, 8);
	ck_assert_ptr_nonnull(hw.gres);
	ck_assert_str_eq(hw.gres, "gpu:4");
	hw_info_clear(&hw);

	/* an unreadable topology file is an error, not a silent look at this host */
	sky_err_clear(&eb);
	setenv("HWLOC_XMLFILE", "/nonexistent/topo.xml", 1);
	ck_assert_int_ne(hw_detect(&hw, &eb), 0);
	unsetenv("HWLOC_XMLFILE");
	ck_assert_msg(strstr(eb.msg, "/nonexistent/topo.xml") != NULL, "message: %s", eb.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spool_hw");
	TCase *tc = tcase_create("spool");

	tcase_add_test(tc, test_job_create_layout);
	tcase_add_test(tc, test_result_and_pid_files);
	tcase_add_test(tc, test_scan_classifies_job_dirs);
	tcase_add_test(tc, test_proc_descendants);
	tcase_add_test(tc, test_gpu_count_families);
	tcase_add_test(tc, test_hw_detect_from_xml);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
