/*
 * prov_k8s_pods_test.c: what a pod says about its job's end (exit codes,
 * OOMKilled, eviction, preemption, PodGC, deletion), exit status mapping,
 * and the log line handling that resumes streams without losing or doubling
 * a line (prov_k8s_podstate.h); the output file opened as a user.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prov_k8s_log.h"
#include "prov_k8s_podstate.h"
#include "unit.h"
#include "xalloc.h"

/* The log streams wake the provider's loop; there is none here. */
void k8s_prov_wake(struct k8s_prov *kp)
{
	(void)kp;
}

#define LABELS "\"labels\":{\"slurm-sky/job\":\"42\",\"slurm-sky/restart\":\"1\"," \
	"\"slurm-sky/rank\":\"2\"}"

static struct k8s_pod_obs observe(const char *json, bool deleted)
{
	json_object *o = json_tokener_parse(json);
	struct k8s_pod_obs obs;

	ck_assert_msg(o != NULL, "bad test JSON: %s", json);
	ck_assert(k8s_pod_observe(o, deleted, &obs));
	json_object_put(o);
	return obs;
}

START_TEST(test_observe_exit)
{
	struct k8s_pod_obs o;

	o = observe("{\"metadata\":{\"name\":\"sky-c-42-2\"," LABELS ",\"annotations\":"
		    "{\"slurm-sky/log-base\":\"17\"}},\"status\":{\"phase\":\"Running\","
		    "\"containerStatuses\":[{\"state\":{\"running\":{}}}]}}", false);
	ck_assert_str_eq(o.name, "sky-c-42-2");
	ck_assert_uint_eq(o.job_id, 42);
	ck_assert_uint_eq(o.restart, 1);
	ck_assert_uint_eq(o.rank, 2);
	ck_assert_int_eq(o.log_base, 17);
	ck_assert(o.started);
	ck_assert_int_eq(o.end, K8S_POD_ACTIVE);

	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Pending\"}}", false);
	ck_assert(!o.started);
	ck_assert_int_eq(o.end, K8S_POD_ACTIVE);
	ck_assert_int_eq(o.log_base, -1);

	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Failed\","
		    "\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":3,"
		    "\"reason\":\"Error\"}}}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_EXITED);
	ck_assert_int_eq(o.exit_code, 3);
	ck_assert(o.started);

	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Failed\","
		    "\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":137,"
		    "\"reason\":\"OOMKilled\"}}}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_OOM);
	ck_assert_str_eq(o.why, "OOMKilled");

	/* A pod ended normally, then deleted: still its exit code. */
	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Succeeded\","
		    "\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":0}}}]}}", true);
	ck_assert_int_eq(o.end, K8S_POD_EXITED);
	ck_assert_int_eq(o.exit_code, 0);
}
END_TEST

START_TEST(test_observe_lost)
{
	struct k8s_pod_obs o;

	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Failed\",\"reason\":"
		    "\"Evicted\",\"conditions\":[{\"type\":\"DisruptionTarget\",\"status\":"
		    "\"True\",\"reason\":\"TerminationByKubelet\"}],\"containerStatuses\":[{"
		    "\"state\":{\"terminated\":{\"exitCode\":137}}}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_LOST);
	ck_assert_str_eq(o.why, "Evicted");

	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Failed\",\"conditions\":"
		    "[{\"type\":\"DisruptionTarget\",\"status\":\"True\",\"reason\":"
		    "\"PreemptionByScheduler\"}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_LOST);
	ck_assert_str_eq(o.why, "PreemptionByScheduler");

	/* A false DisruptionTarget is no disruption. */
	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Running\",\"conditions\":"
		    "[{\"type\":\"DisruptionTarget\",\"status\":\"False\"}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_ACTIVE);

	/* Deleted while running (no terminated state), or killed by a deletion. */
	o = observe("{\"metadata\":{" LABELS "},\"status\":{\"phase\":\"Running\","
		    "\"containerStatuses\":[{\"state\":{\"running\":{}}}]}}", true);
	ck_assert_int_eq(o.end, K8S_POD_LOST);
	o = observe("{\"metadata\":{" LABELS ",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"},"
		    "\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":"
		    "{\"terminated\":{\"exitCode\":143}}}]}}", false);
	ck_assert_int_eq(o.end, K8S_POD_LOST);
	ck_assert(o.deleting);
}
END_TEST

START_TEST(test_observe_not_ours)
{
	json_object *o = json_tokener_parse("{\"metadata\":{\"name\":\"x\",\"labels\":"
					    "{\"slurm-sky/job\":\"7\"}}}");
	struct k8s_pod_obs obs;

	ck_assert(!k8s_pod_observe(o, false, &obs));   /* no restart label */
	json_object_put(o);
}
END_TEST

START_TEST(test_exit_status)
{
	ck_assert_int_eq(k8s_exit_status(0), 0);
	ck_assert_int_eq(k8s_exit_status(3), 3 << 8);
	ck_assert_int_eq(k8s_exit_status(128), 128 << 8);
	ck_assert_int_eq(k8s_exit_status(137), 9);
	ck_assert_int_eq(k8s_exit_status(143), 15);
	ck_assert_int_eq(k8s_exit_status(255), 255 << 8);
}
END_TEST

struct sink {
	char buf[4096];
	size_t n;
	int calls;
};

static int sink_emit(void *arg, const char *data, size_t len)
{
	struct sink *s = arg;

	ck_assert(s->n + len < sizeof(s->buf));
	memcpy(s->buf + s->n, data, len);
	s->n += len;
	s->buf[s->n] = '\0';
	s->calls++;
	return 0;
}

START_TEST(test_linebuf_resume)
{
	struct k8s_linebuf b;
	struct sink s;

	memset(&s, 0, sizeof(s));
	k8s_linebuf_init(&b, 0, 0, sink_emit, &s);
	k8s_linebuf_feed(&b, "one\ntw", 6);
	ck_assert_str_eq(s.buf, "one\n");
	/* The connection breaks; the next body starts from byte 0 again. */
	k8s_linebuf_restart(&b);
	k8s_linebuf_feed(&b, "on", 2);
	k8s_linebuf_feed(&b, "e\ntwo\nthr", 9);
	ck_assert_str_eq(s.buf, "one\ntwo\n");
	k8s_linebuf_flush(&b);
	ck_assert_str_eq(s.buf, "one\ntwo\nthr");
	ck_assert_uint_eq(b.pos, 11);
	k8s_linebuf_fini(&b);

	/* Rank 2 of a task YAML, resuming at byte 4 (what the file held). */
	memset(&s, 0, sizeof(s));
	k8s_linebuf_init(&b, 2, 4, sink_emit, &s);
	k8s_linebuf_feed(&b, "one\ntwo\n", 8);
	ck_assert_str_eq(s.buf, "(worker2, rank=2) two\n");
	ck_assert_int_eq(s.calls, 1);
	k8s_linebuf_fini(&b);
}
END_TEST

START_TEST(test_log_count)
{
	const char *f = "a\n(worker1, rank=1) bb\nccc\n(worker2, rank=2) d\n(worker9, rank=9) x\npart";
	uint64_t per[3] = { 0, 0, 0 };
	char pre[48];

	ck_assert_uint_eq(k8s_log_prefix(pre, sizeof(pre), 0), 0);
	ck_assert_uint_eq(k8s_log_prefix(pre, sizeof(pre), 3), strlen("(worker3, rank=3) "));
	ck_assert_str_eq(pre, "(worker3, rank=3) ");
	k8s_log_count(f, strlen(f), true, per, 3);
	/* rank 9 is not a rank of this job: its line is rank 0's text. */
	ck_assert_uint_eq(per[0], 2 + 4 + strlen("(worker9, rank=9) x\n") + 4);
	ck_assert_uint_eq(per[1], 3);
	ck_assert_uint_eq(per[2], 2);
	memset(per, 0, sizeof(per));
	k8s_log_count(f, strlen(f), false, per, 3);
	ck_assert_uint_eq(per[0], strlen(f));
}
END_TEST

START_TEST(test_open_as_user)
{
	char dir[] = "/tmp/k8s_log_test.XXXXXX", *path;
	struct sky_errbuf eb;
	struct stat sb;
	int fd = -1;

	ck_assert(mkdtemp(dir) != NULL);
	path = xasprintf("%s/out", dir);
	sky_err_clear(&eb);
	ck_assert_int_eq(k8s_open_as_user(path, O_WRONLY | O_CREAT | O_TRUNC, 027, getuid(),
					  getgid(), &fd, &eb), 0);
	ck_assert(fd >= 0);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0640);
	ck_assert_uint_eq(sb.st_uid, geteuid());
	if (geteuid() == 0) {
		/* As root: the file is created by, and owned by, the job's user. */
		char *p2 = xasprintf("%s/out2", dir);

		chmod(dir, 0777);
		ck_assert_int_eq(k8s_open_as_user(p2, O_WRONLY | O_CREAT, 022, 65534, 65534,
						  &fd, &eb), 0);
		close(fd);
		ck_assert_int_eq(stat(p2, &sb), 0);
		ck_assert_uint_eq(sb.st_uid, 65534);
		unlink(p2);
		free(p2);
	}
	/* A directory that does not exist: the error names the path. */
	unlink(path);
	rmdir(dir);
	ck_assert_int_ne(k8s_open_as_user(path, O_WRONLY | O_CREAT, 022, getuid(), getgid(), &fd,
					  &eb), 0);
	ck_assert_msg(strstr(sky_err_msg(&eb), path) != NULL, "%s", sky_err_msg(&eb));
	free(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("prov_k8s_pods");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_observe_exit);
	tcase_add_test(tc, test_observe_lost);
	tcase_add_test(tc, test_observe_not_ours);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_linebuf_resume);
	tcase_add_test(tc, test_log_count);
	tcase_add_test(tc, test_open_as_user);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
