/*
 * prov_k8s_log.c: pods' logs into their job's output file (prov_k8s_log.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "k8s_api.h"
#include "log.h"
#include "prov_k8s_log.h"
#include "prov_k8s_podstate.h"
#include "xalloc.h"

struct k8s_logfile {
	pthread_mutex_t mu;
	int refs;
	struct k8s_logfile_spec s;
	bool tried;             /* open attempted (once) */
	int fd;                 /* -1: not open, or could not be opened */
	int64_t base;           /* where this run's output starts */
	uint64_t *done;         /* adopting: log bytes of each rank the file holds */
};

struct k8s_logstream {
	pthread_mutex_t mu;
	int refs;               /* the controller's and the thread's */
	int stop;               /* atomic: give up now */
	int pod_ended;          /* atomic: the pod ended, its body's end is the log's */
	int done;               /* atomic: everything written, thread ending */
	unsigned int progress;  /* atomic: bumped by every body chunk */
	struct k8s_prov *kp;
	struct k8s_logfile *f;
	char *pod, *path;
	uint32_t rank;
	bool patch;
};

static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_cv = PTHREAD_COND_INITIALIZER;
static int live_threads;

/* ---- opening as the job's user ---- */

static int send_fd(int sock, int fd, int err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &err, .iov_len = sizeof(err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	if (fd >= 0) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, 0) < 0 ? -1 : 0;
}

static int recv_fd(int sock, int *fd, int *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = err, .iov_len = sizeof(*err) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*err))
		return -1;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

/*
 * The groups initgroups() would give uid (as slurmd-sky's job child gets):
 * looked up before the fork, since NSS is not async-signal-safe. Only gid
 * when the user is unknown here. Caller frees; *n >= 1.
 */
static gid_t *user_groups(uid_t uid, gid_t gid, int *n)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int cnt = 32;
	gid_t *g = xmalloc((size_t)cnt * sizeof(*g));

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res &&
	    getgrouplist(pw.pw_name, gid, g, &cnt) < 0) {
		g = xrealloc(g, (size_t)cnt * sizeof(*g));
		if (getgrouplist(pw.pw_name, gid, g, &cnt) < 0)
			res = NULL;
	}
	if (!res || cnt < 1) {
		g[0] = gid;
		cnt = 1;
	}
	*n = cnt;
	return g;
}

/* The child: only async-signal-safe calls (the parent has threads). */
static _Noreturn void open_child(int sock, const char *path, int flags, mode_t um, uid_t uid,
				 gid_t gid, const gid_t *groups, int n_groups)
{
	int fd = -1, err = 0;

	if (setgroups((size_t)n_groups, groups) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		err = errno ? errno : EPERM;
	} else {
		umask(um);
		fd = open(path, flags | O_CLOEXEC, 0666);
		if (fd < 0)
			err = errno;
	}
	(void)send_fd(sock, fd, err);
	_exit(0);
}

int k8s_open_as_user(const char *path, int flags, mode_t um, uid_t uid, gid_t gid, int *fd,
		     struct sky_errbuf *eb)
{
	int sv[2], err = 0, st, n_groups;
	gid_t *groups;
	pid_t pid;

	*fd = -1;
	if (geteuid() != 0 || uid == geteuid()) {
		mode_t old = umask(um);

		*fd = open(path, flags | O_CLOEXEC, 0666);
		err = errno;
		umask(old);
		if (*fd < 0)
			return sky_err_set(eb, SKY_E_IO, "%s: %s", path, strerror(err));
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return sky_err_set(eb, SKY_E_IO, "socketpair: %s", strerror(errno));
	groups = user_groups(uid, gid, &n_groups);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		free(groups);
		return sky_err_set(eb, SKY_E_IO, "fork: %s", strerror(err));
	}
	if (pid == 0) {
		close(sv[0]);
		open_child(sv[1], path, flags, um, uid, gid, groups, n_groups);
	}
	free(groups);
	close(sv[1]);
	if (recv_fd(sv[0], fd, &err) < 0)
		err = err ? err : EIO;
	close(sv[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (*fd < 0)
		return sky_err_set(eb, SKY_E_IO, "%s (as uid %u): %s", path, (unsigned)uid,
				   strerror(err ? err : EIO));
	return 0;
}

/* ---- the job's file ---- */

struct k8s_logfile *k8s_logfile_new(struct k8s_logfile_spec *s)
{
	struct k8s_logfile *f = xcalloc(1, sizeof(*f));

	pthread_mutex_init(&f->mu, NULL);
	f->refs = 1;
	f->s = *s;
	s->path = NULL;
	f->fd = -1;
	f->base = -1;
	return f;
}

void k8s_logfile_put(struct k8s_logfile *f)
{
	int left;

	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	left = --f->refs;
	pthread_mutex_unlock(&f->mu);
	if (left)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->s.path);
	free(f->done);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* Adopting: what the file holds of each rank since base. */
static void count_existing(struct k8s_logfile *f)
{
	char buf[65536];
	char *carry = NULL;
	size_t n_carry = 0;
	ssize_t n;

	f->done = xcalloc(f->s.n_ranks ? f->s.n_ranks : 1, sizeof(*f->done));
	if (lseek(f->fd, f->base, SEEK_SET) < 0)
		return;
	/* Lines may cross reads: whole lines are counted, the rest carried. */
	while ((n = read(f->fd, buf, sizeof(buf))) > 0) {
		char *data;
		size_t len, whole;
		const char *last;

		carry = xrealloc(carry, n_carry + (size_t)n);
		memcpy(carry + n_carry, buf, (size_t)n);
		data = carry;
		len = n_carry + (size_t)n;
		last = memrchr(data, '\n', len);
		whole = last ? (size_t)(last - data) + 1 : 0;
		k8s_log_count(data, whole, f->s.multi, f->done, f->s.n_ranks ? f->s.n_ranks : 1);
		memmove(carry, data + whole, len - whole);
		n_carry = len - whole;
	}
	k8s_log_count(carry, n_carry, f->s.multi, f->done, f->s.n_ranks ? f->s.n_ranks : 1);
	free(carry);
}

static void file_open_locked(struct k8s_logfile *f)
{
	struct sky_errbuf eb;
	bool adopt = f->s.base >= 0;
	int flags = O_WRONLY | O_CREAT | (adopt || f->s.append ? O_APPEND : O_TRUNC);
	struct stat sb;

	f->tried = true;
	sky_err_clear(&eb);
	if (adopt)
		flags = O_RDWR | O_CREAT | O_APPEND;
	if (k8s_open_as_user(f->s.path, flags, f->s.umask, f->s.uid, f->s.gid, &f->fd, &eb)) {
		log_error("kubernetes: could not open the output file: %s", sky_err_msg(&eb));
		return;
	}
	if (adopt) {
		f->base = f->s.base;
		count_existing(f);
		return;
	}
	f->base = fstat(f->fd, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Open once; *from gets where rank's log resumes (0 unless adopting). */
static int64_t file_open(struct k8s_logfile *f, uint32_t rank, uint64_t *from)
{
	int64_t base;

	pthread_mutex_lock(&f->mu);
	if (!f->tried)
		file_open_locked(f);
	*from = f->done && rank < (f->s.n_ranks ? f->s.n_ranks : 1) ? f->done[rank] : 0;
	base = f->base;
	pthread_mutex_unlock(&f->mu);
	return base;
}

static int file_write(void *arg, const char *data, size_t len)
{
	struct k8s_logfile *f = arg;

	pthread_mutex_lock(&f->mu);
	while (f->fd >= 0 && len) {
		ssize_t n = write(f->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("kubernetes: writing %s: %s", f->s.path, strerror(errno));
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	pthread_mutex_unlock(&f->mu);
	return 0;
}

/* ---- one rank's stream ---- */

static void stream_put(struct k8s_logstream *s)
{
	int left;

	pthread_mutex_lock(&s->mu);
	left = --s->refs;
	pthread_mutex_unlock(&s->mu);
	if (left)
		return;
	k8s_logfile_put(s->f);
	free(s->pod);
	free(s->path);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static bool stopped(struct k8s_logstream *s)
{
	return __atomic_load_n(&s->stop, __ATOMIC_SEQ_CST) != 0;
}

static void patch_base(struct k8s_logstream *s, struct k8s_client *cl, int64_t base)
{
	json_object *p = json_object_new_object(), *meta = json_object_new_object();
	json_object *ann = json_object_new_object();
	char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", s->kp->pc.ns, s->pod);
	char *v = xasprintf("%lld", (long long)base);
	struct sky_errbuf eb;

	json_object_object_add(ann, K8S_ANN_LOG_BASE, json_object_new_string(v));
	json_object_object_add(meta, "annotations", ann);
	json_object_object_add(p, "metadata", meta);
	sky_err_clear(&eb);
	if (k8s_patch(cl, path, K8S_PATCH_MERGE, p, NULL, &eb))
		log_debug("kubernetes: %s: %s", s->pod, sky_err_msg(&eb));
	json_object_put(p);
	free(path);
	free(v);
}

/* Whether the pod has ended (or is gone), asked after its log body ended. */
static bool pod_finished(struct k8s_logstream *s, struct k8s_client *cl)
{
	char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", s->kp->pc.ns, s->pod);
	json_object *pod = NULL, *st = NULL, *ph = NULL;
	struct sky_errbuf eb;
	bool fin = false;
	int rc;

	sky_err_clear(&eb);
	rc = k8s_get(cl, path, &pod, &eb);
	if (rc == SKY_E_NOT_FOUND) {
		fin = true;
	} else if (!rc && json_object_object_get_ex(pod, "status", &st) &&
		   json_object_object_get_ex(st, "phase", &ph)) {
		const char *p = json_object_get_string(ph);

		fin = !strcmp(p, "Succeeded") || !strcmp(p, "Failed");
	}
	json_object_put(pod);
	free(path);
	return fin;
}

struct feed {
	struct k8s_logstream *s;
	struct k8s_linebuf *b;
};

static int on_data(void *arg, const char *data, size_t len)
{
	struct feed *f = arg;

	__atomic_add_fetch(&f->s->progress, 1, __ATOMIC_SEQ_CST);
	return k8s_linebuf_feed(f->b, data, len);
}

/* One connection; returns true when the log is complete (or hopeless). */
static bool stream_once(struct k8s_logstream *s, struct k8s_client *cl, struct k8s_linebuf *b,
			int *errors)
{
	struct feed f = { .s = s, .b = b };
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	k8s_linebuf_restart(b);
	rc = k8s_stream(cl, s->path, on_data, &f, &s->stop, &eb);
	if (stopped(s))
		return true;
	if (rc == SKY_E_NOT_FOUND)
		return true;            /* the pod is gone, and its log with it */
	if (!rc)
		return __atomic_load_n(&s->pod_ended, __ATOMIC_SEQ_CST) || pod_finished(s, cl);
	/* 400 "waiting to start" until the container runs; anything else: retry. */
	if (++*errors % 30 == 0)
		log_info("kubernetes: log of %s: %s (retrying)", s->pod, sky_err_msg(&eb));
	return false;
}

static void *stream_main(void *arg)
{
	struct k8s_logstream *s = arg;
	struct k8s_client *cl = NULL;
	struct k8s_linebuf b;
	struct sky_errbuf eb;
	uint64_t from = 0;
	int64_t base;
	int errors = 0;

	sky_err_clear(&eb);
	base = file_open(s->f, s->rank, &from);
	k8s_linebuf_init(&b, s->f->s.multi ? s->rank : 0, from, file_write, s->f);
	if (k8s_client_new(s->kp->cfg, &cl, &eb)) {
		log_error("kubernetes: log of %s: %s", s->pod, sky_err_msg(&eb));
		goto out;
	}
	if (s->patch && base >= 0)
		patch_base(s, cl, base);
	while (!stream_once(s, cl, &b, &errors)) {
		for (int i = 0; i < 10 && !stopped(s); i++)
			usleep(100000);
		if (stopped(s))
			break;
	}
	if (!stopped(s))
		k8s_linebuf_flush(&b);
out:
	k8s_linebuf_fini(&b);
	k8s_client_free(cl);
	__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
	k8s_prov_wake(s->kp);
	stream_put(s);
	pthread_mutex_lock(&live_mu);
	live_threads--;
	pthread_cond_broadcast(&live_cv);
	pthread_mutex_unlock(&live_mu);
	return NULL;
}

struct k8s_logstream *k8s_logstream_start(struct k8s_prov *kp, struct k8s_logfile *f,
					  const char *pod, uint32_t rank, bool patch)
{
	struct k8s_logstream *s = xcalloc(1, sizeof(*s));
	pthread_attr_t at;
	pthread_t th;

	pthread_mutex_init(&s->mu, NULL);
	s->refs = 2;
	s->kp = kp;
	s->f = f;
	pthread_mutex_lock(&f->mu);
	f->refs++;
	pthread_mutex_unlock(&f->mu);
	s->pod = xstrdup(pod);
	s->path = xasprintf("/api/v1/namespaces/%s/pods/%s/log?follow=true", kp->pc.ns, pod);
	s->rank = rank;
	s->patch = patch;
	pthread_mutex_lock(&live_mu);
	live_threads++;
	pthread_mutex_unlock(&live_mu);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, stream_main, s) != 0) {
		log_error("kubernetes: no thread for the log of %s", pod);
		pthread_mutex_lock(&live_mu);
		live_threads--;
		pthread_mutex_unlock(&live_mu);
		__atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
		s->refs = 1;
	}
	pthread_attr_destroy(&at);
	return s;
}

bool k8s_logstream_done(struct k8s_logstream *s)
{
	return __atomic_load_n(&s->done, __ATOMIC_SEQ_CST) != 0;
}

unsigned int k8s_logstream_progress(struct k8s_logstream *s)
{
	return __atomic_load_n(&s->progress, __ATOMIC_SEQ_CST);
}

void k8s_logstream_pod_ended(struct k8s_logstream *s)
{
	__atomic_store_n(&s->pod_ended, 1, __ATOMIC_SEQ_CST);
}

void k8s_logstream_release(struct k8s_logstream *s)
{
	if (!s)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	stream_put(s);
}

void k8s_log_wait_all(int timeout_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&live_mu);
	while (live_threads > 0)
		if (pthread_cond_timedwait(&live_cv, &live_mu, &until) != 0)
			break;
	pthread_mutex_unlock(&live_mu);
}
