/* cli_util.c: see cli_util.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "log.h"
#include "xalloc.h"

void cli_print_version(void)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
}

int cli_error_exit(void)
{
	const char *v = getenv("SLURM_EXIT_ERROR");
	int i;

	if (!v)
		return 1;
	i = atoi(v);
	if (i == 0) {
		log_error("SLURM_EXIT_ERROR has zero value");
		return 1;
	}
	return i;
}

const char *cli_rpc_errtext(const struct sky_errbuf *eb)
{
	if (eb->code == SKY_E_CONNECT || eb->code == SKY_E_TIMEOUT)
		return sky_strerror(eb->code);
	return sky_err_msg(eb);
}

void cli_error_lines(const char *msg)
{
	const char *p = msg;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		log_error("%.*s", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

int cli_open(struct sky_client **c, struct sky_errbuf *eb)
{
	return sky_client_open(NULL, c, eb);
}

int cli_load_jobs(struct sky_client *c, const uint32_t *ids, size_t n,
		  Sky__JobInfoReply **reply, struct sky_errbuf *eb)
{
	Sky__JobInfoRequest req = SKY__JOB_INFO_REQUEST__INIT;
	ProtobufCMessage *r = NULL;
	int rc;

	req.n_job_ids = n;
	req.job_ids = (uint32_t *)ids;
	req.has_include_finished = true;
	req.include_finished = true;
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_JOB_INFO, &req.base,
			    &sky__job_info_reply__descriptor, &r, eb);
	if (rc)
		return rc;
	*reply = (Sky__JobInfoReply *)r;
	if ((*reply)->rc) {
		rc = sky_err_set(eb, (int)(*reply)->rc, "%s", sky_strerror((int)(*reply)->rc));
		sky__job_info_reply__free_unpacked(*reply, NULL);
		*reply = NULL;
	}
	return rc;
}

int cli_load_nodes(struct sky_client *c, Sky__NodeInfoReply **reply, struct sky_errbuf *eb)
{
	ProtobufCMessage *r = NULL;
	int rc;

	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_NODE_INFO, NULL,
			    &sky__node_info_reply__descriptor, &r, eb);
	if (rc)
		return rc;
	*reply = (Sky__NodeInfoReply *)r;
	if ((*reply)->rc) {
		rc = sky_err_set(eb, (int)(*reply)->rc, "%s", sky_strerror((int)(*reply)->rc));
		sky__node_info_reply__free_unpacked(*reply, NULL);
		*reply = NULL;
	}
	return rc;
}

char *cli_user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "%s", res->pw_name);
	else
		snprintf(buf, len, "%u", uid);
	return buf;
}

char *cli_group_name(uint32_t gid, char *buf, size_t len)
{
	struct group gr, *res = NULL;
	char tmp[8192];

	if (getgrgid_r((gid_t)gid, &gr, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "%s", res->gr_name);
	else
		snprintf(buf, len, "%u", gid);
	return buf;
}

bool cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_uid(const char *s, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];

	if (!s || !*s)
		return false;
	if (getpwnam_r(s, &pw, tmp, sizeof(tmp), &res) == 0 && res) {
		*uid = (uint32_t)res->pw_uid;
		return true;
	}
	return cli_parse_u32(s, 0, UINT32_MAX - 1, uid);
}

bool cli_parse_gid(const char *s, uint32_t *gid)
{
	struct group gr, *res = NULL;
	char tmp[8192];

	if (!s || !*s)
		return false;
	if (getgrnam_r(s, &gr, tmp, sizeof(tmp), &res) == 0 && res) {
		*gid = (uint32_t)res->gr_gid;
		return true;
	}
	return cli_parse_u32(s, 0, UINT32_MAX - 1, gid);
}

/* "_M", "_[...]" or "_*" after a job id; arrays are reduced to their job id for now. */
static bool array_suffix_ok(const char *p, const char **end)
{
	if (*p == '*') {
		*end = p + 1;
		return true;
	}
	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close || close == p + 1)
			return false;
		for (const char *q = p + 1; q < close; q++)
			if (!isdigit((unsigned char)*q) && *q != '-' && *q != ',' && *q != '%' && *q != ':')
				return false;
		*end = close + 1;
		return true;
	}
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	*end = p;
	return true;
}

bool cli_parse_job_id(const char *s, uint32_t *job_id)
{
	const char *p = s;
	unsigned long long v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > UINT32_MAX)
			return false;
		p++;
	}
	if (v == 0)
		return false;
	if (*p == '_' && !array_suffix_ok(p + 1, &p))
		return false;
	if (*p == '.') {
		p++;
		if (!strcmp(p, "batch") || !strcmp(p, "extern"))
			p += strlen(p);
		else
			while (isdigit((unsigned char)*p))
				p++;
	}
	if (*p)
		return false;
	*job_id = (uint32_t)v;
	return true;
}

char *cli_join_argv(int argc, char **argv)
{
	char *line = NULL;

	for (int i = 0; i < argc; i++)
		xstrfmtcat(&line, "%s%s", i ? " " : "", argv[i]);
	return line ? line : xstrdup("");
}

char *cli_lower(const char *s)
{
	char *r = xstrdup(s ? s : "");

	for (char *p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

bool cli_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

char *cli_mem_str(uint64_t mb, char *buf, size_t len)
{
	static const char units[] = "MGTP";
	int u = 0;

	if (mb == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	while (u < 3 && mb % 1024 == 0) {
		mb /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", mb, units[u]);
	return buf;
}
