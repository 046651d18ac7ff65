/* spool.c: see spool.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "spool.h"
#include "xalloc.h"

/* Nothing in a job directory legitimately comes near this. */
#define SPOOL_FILE_MAX ((size_t)1 << 30)

char *spool_job_dir(const char *spool, uint32_t job_id)
{
	return xasprintf("%s/job%" PRIu32, spool, job_id);
}

int spool_mkdir_p(const char *path, mode_t mode, struct sky_errbuf *eb)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = sky_err_set(eb, SKY_E_IO, "cannot create directory %s: %s", p, strerror(errno));
			goto out;
		}
		*s = c;
		if (!c)
			break;
	}
out:
	free(p);
	return rc;
}

static int write_full(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int spool_write_atomic(const char *dir, const char *name, const void *data, size_t len,
		       mode_t mode, uid_t owner, gid_t group, bool durable,
		       struct sky_errbuf *eb)
{
	char *tmp = xasprintf("%s/%s.tmp", dir, name);
	char *dst = xasprintf("%s/%s", dir, name);
	int fd, rc = 0;

	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_full(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* The open mode went through the umask; the spool's modes must not. */
	if (fchmod(fd, mode) < 0 ||
	    (owner != (uid_t)-1 && fchown(fd, owner, group) < 0)) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot set owner/mode of %s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, dst) < 0) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot rename %s to %s: %s", tmp, dst, strerror(errno));
		goto fail;
	}
	if (durable)
		fsync_dir(dir);
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
out:
	free(tmp);
	free(dst);
	return rc;
}

int spool_read_all(const char *dir, const char *name, size_t max, uint8_t **data, size_t *len,
		   struct sky_errbuf *eb)
{
	char *path = xasprintf("%s/%s", dir, name);
	size_t got = 0, cap = 4096;
	uint8_t *buf = NULL;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = errno == ENOENT ? sky_err_set(eb, SKY_E_NOT_FOUND, "%s does not exist", path)
				     : sky_err_set(eb, SKY_E_IO, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t n;
		if (got == cap) {
			if (cap >= max) {
				rc = sky_err_set(eb, SKY_E_IO, "%s is larger than %zu bytes", path, max);
				goto out;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sky_err_set(eb, SKY_E_IO, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return rc;
}

/* Remove every entry of dir (files only), then dir itself. */
static int remove_tree(const char *dir, struct sky_errbuf *eb)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return sky_err_set(eb, SKY_E_IO, "cannot open %s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && !rc)
			rc = sky_err_set(eb, SKY_E_IO, "cannot remove %s/%s: %s", dir, de->d_name,
					 strerror(errno));
	}
	closedir(d);
	if (rmdir(dir) < 0 && errno != ENOENT && !rc)
		rc = sky_err_set(eb, SKY_E_IO, "cannot remove %s: %s", dir, strerror(errno));
	return rc;
}

int spool_job_remove(const char *jobdir, struct sky_errbuf *eb)
{
	return remove_tree(jobdir, eb);
}

int spool_job_create(const char *spool, const Sky__LaunchJob *lj, uid_t uid, gid_t gid,
		     char **jobdir, struct sky_errbuf *eb)
{
	char *dir = spool_job_dir(spool, lj->job_id);
	bool root = geteuid() == 0;
	Sky__LaunchJob copy = *lj;
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if ((rc = remove_tree(dir, eb)))
		goto fail;
	/* 0711: the job's user must reach its script but not list others'. */
	if (mkdir(dir, 0711) < 0) {
		rc = sky_err_set(eb, SKY_E_IO, "cannot create job directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	(void)chmod(dir, 0711);
	if ((rc = spool_write_atomic(dir, "script", lj->script.data, lj->script.len, 0700,
				     root ? uid : (uid_t)-1, gid, false, eb)))
		goto fail;
	/* The script is already on disk; no need to keep a second copy. */
	copy.script.data = NULL;
	copy.script.len = 0;
	len = sky__launch_job__get_packed_size(&copy);
	buf = xmalloc(len ? len : 1);
	sky__launch_job__pack(&copy, buf);
	if ((rc = spool_write_atomic(dir, "launch", buf, len, 0600, (uid_t)-1, 0, false, eb)))
		goto fail;
	free(buf);
	*jobdir = dir;
	return 0;
fail:
	free(buf);
	(void)remove_tree(dir, NULL);
	free(dir);
	return rc;
}

int spool_read_launch(const char *jobdir, Sky__LaunchJob **out, struct sky_errbuf *eb)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = spool_read_all(jobdir, "launch", SPOOL_FILE_MAX, &data, &len, eb)))
		return rc;
	*out = sky__launch_job__unpack(NULL, len, data);
	free(data);
	if (!*out)
		return sky_err_set(eb, SKY_E_PROTOCOL, "%s/launch is corrupt", jobdir);
	return 0;
}

int spool_write_result(const char *jobdir, const Sky__JobComplete *jc, struct sky_errbuf *eb)
{
	size_t len = sky__job_complete__get_packed_size(jc);
	uint8_t *buf = xmalloc(len ? len : 1);
	int rc;

	sky__job_complete__pack(jc, buf);
	rc = spool_write_atomic(jobdir, "result", buf, len, 0600, (uid_t)-1, 0, true, eb);
	free(buf);
	return rc;
}

int spool_read_result(const char *jobdir, Sky__JobComplete **out, struct sky_errbuf *eb)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = spool_read_all(jobdir, "result", SPOOL_FILE_MAX, &data, &len, eb)))
		return rc;
	*out = sky__job_complete__unpack(NULL, len, data);
	free(data);
	if (!*out)
		return sky_err_set(eb, SKY_E_PROTOCOL, "%s/result is corrupt", jobdir);
	return 0;
}

int spool_write_pid(const char *jobdir, const char *name, pid_t pid, uint64_t start,
		    struct sky_errbuf *eb)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %" PRIu64 "\n", (int)pid, start);

	return spool_write_atomic(jobdir, name, buf, (size_t)n, 0600, (uid_t)-1, 0, false, eb);
}

int spool_read_pid(const char *jobdir, const char *name, pid_t *pid, uint64_t *start,
		   struct sky_errbuf *eb)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int p = 0, rc;
	uint64_t s = 0;

	if ((rc = spool_read_all(jobdir, name, 4096, &data, &len, eb)))
		return rc;
	if (sscanf((char *)data, "%d %" SCNu64, &p, &s) != 2 || p <= 0)
		rc = sky_err_set(eb, SKY_E_PROTOCOL, "%s/%s is corrupt", jobdir, name);
	free(data);
	if (rc)
		return rc;
	*pid = (pid_t)p;
	*start = s;
	return 0;
}

static bool parse_job_dirname(const char *name, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "job", 3) || name[3] < '0' || name[3] > '9')
		return false;
	errno = 0;
	v = strtoul(name + 3, &end, 10);
	if (*end || errno || v == 0 || v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static void classify(struct spool_job *j)
{
	struct sky_errbuf eb;
	struct stat st;
	char *launch;
	int rc;

	sky_err_clear(&eb);
	rc = spool_read_result(j->dir, &j->result, &eb);
	if (rc == 0) {
		j->kind = SPOOL_JOB_FINISHED;
		return;
	}
	if (rc != SKY_E_NOT_FOUND) {
		/* A result that cannot be read still means the job ended. */
		j->kind = SPOOL_JOB_LOST;
		return;
	}
	if (spool_read_pid(j->dir, SPOOL_SUPERVISOR, &j->sup_pid, &j->sup_start, NULL) == 0 &&
	    proc_alive(j->sup_pid, j->sup_start)) {
		j->kind = SPOOL_JOB_RUNNING;
		return;
	}
	launch = xasprintf("%s/launch", j->dir);
	j->kind = stat(launch, &st) == 0 ? SPOOL_JOB_LOST : SPOOL_JOB_INCOMPLETE;
	free(launch);
}

int spool_scan(const char *spool, struct spool_job **jobs, size_t *n, struct sky_errbuf *eb)
{
	struct spool_job *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*jobs = NULL;
	*n = 0;
	d = opendir(spool);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return sky_err_set(eb, SKY_E_IO, "cannot open spool directory %s: %s", spool,
				   strerror(errno));
	}
	while ((de = readdir(d))) {
		uint32_t id;
		if (!parse_job_dirname(de->d_name, &id))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].job_id = id;
		v[cnt].dir = xasprintf("%s/%s", spool, de->d_name);
		classify(&v[cnt]);
		cnt++;
	}
	closedir(d);
	*jobs = v;
	*n = cnt;
	return 0;
}

void spool_jobs_free(struct spool_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].dir);
		if (jobs[i].result)
			sky__job_complete__free_unpacked(jobs[i].result, NULL);
	}
	free(jobs);
}
