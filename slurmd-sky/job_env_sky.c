/* job_env_sky.c: see job_env_sky.h. */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "hostlist.h"
#include "job_env_sky.h"
#include "xalloc.h"

#define LOCAL_ADDR "127.0.0.1"

static const struct sky_conf *agent_conf;

void job_env_sky_set_conf(const struct sky_conf *conf)
{
	agent_conf = conf;
}

/* name's IPv4 address (else IPv6) in text, or a copy of name when it does not resolve. Caller frees. */
static char *resolve(const char *name)
{
	struct addrinfo hints, *res = NULL;
	char buf[INET6_ADDRSTRLEN];
	char *out = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_INET;
	if (getaddrinfo(name, NULL, &hints, &res) != 0) {
		hints.ai_family = AF_UNSPEC;
		res = NULL;
		if (getaddrinfo(name, NULL, &hints, &res) != 0)
			return xstrdup(name);
	}
	if (!getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof(buf), NULL, 0, NI_NUMERICHOST))
		out = xstrdup(buf);
	freeaddrinfo(res);
	return out ? out : xstrdup(name);
}

/*
 * The address of node: its NodeAddr (the entry parallel to its name on its
 * NodeName line), else 127.0.0.1 when a local provider runs it. Caller frees.
 */
static char *node_ip(const char *node)
{
	for (size_t i = 0; agent_conf && i < agent_conf->n_nodes; i++) {
		const struct conf_node *cn = &agent_conf->nodes[i];
		char **names = NULL, **addrs = NULL;
		size_t nn = 0, na = 0;
		char *out = NULL;

		if (hostlist_expand(cn->names, &names, &nn, NULL))
			continue;
		for (size_t k = 0; k < nn && !out; k++) {
			if (strcmp(names[k], node))
				continue;
			if (cn->addr && !hostlist_expand(cn->addr, &addrs, &na, NULL) && k < na)
				out = resolve(addrs[k]);
			else if (!cn->provider || !strcasecmp(cn->provider, "local"))
				out = xstrdup(LOCAL_ADDR);
			else
				out = resolve(node);
		}
		for (size_t k = 0; k < nn; k++)
			free(names[k]);
		free(names);
		for (size_t k = 0; k < na; k++)
			free(addrs[k]);
		free(addrs);
		if (out)
			return out;
	}
	/* Not in the config (or no config): nodes the agent runs are local ones. */
	return xstrdup(LOCAL_ADDR);
}

/* SkyPilot's count of the accelerators "NAME:COUNT", rounded up; 0 without any. */
static uint32_t gpus_per_node(const char *acc)
{
	const char *colon = acc ? strrchr(acc, ':') : NULL;
	double c;
	uint32_t n;

	if (!acc || !*acc)
		return 0;
	if (!colon)
		return 1;
	c = strtod(colon + 1, NULL);
	if (c <= 0)
		return 0;
	n = (uint32_t)c;
	return (double)n < c ? n + 1 : n;
}

static bool in_launch_env(const Sky__LaunchJob *lj, const char *name)
{
	size_t nlen = strlen(name);

	for (size_t i = 0; i < lj->n_env; i++)
		if (lj->env[i] && !strncmp(lj->env[i], name, nlen) && lj->env[i][nlen] == '=')
			return true;
	return false;
}

struct varlist {
	const Sky__LaunchJob *lj;
	char **v;
	size_t n;
};

static void add(struct varlist *l, const char *name, const char *val)
{
	if (in_launch_env(l->lj, name))
		return;
	l->v = xrealloc(l->v, (l->n + 2) * sizeof(char *));
	l->v[l->n++] = xasprintf("%s=%s", name, val);
	l->v[l->n] = NULL;
}

/* Newline-separated addresses of the allocation, in hostlist order; *count gets the node count. */
static char *node_ips(const char *node_list, const char *fallback, uint32_t *count)
{
	char **names = NULL, *out = xstrdup("");
	size_t n = 0;

	if (!node_list || !*node_list || hostlist_expand(node_list, &names, &n, NULL)) {
		names = xcalloc(2, sizeof(char *));
		names[0] = xstrdup(fallback);
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		char *ip = node_ip(names[i]);
		xstrfmtcat(&out, "%s%s", i ? "\n" : "", ip);
		free(ip);
		free(names[i]);
	}
	free(names);
	*count = (uint32_t)n;
	return out;
}

/* sky-<%Y-%m-%d-%H-%M-%S-%f>_<cluster>_<job id>; we keep whole seconds, so %f is 000000. */
static char *task_id(const Sky__JobRecord *job, const struct job_env_ctx *c)
{
	time_t t = job->submit_time ? (time_t)job->submit_time : c->start_time;
	const char *cluster = job->cluster && *job->cluster ? job->cluster
							     : (c->cluster ? c->cluster : "sky");
	struct tm tm;
	char ts[64];

	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d-%H-%M-%S", &tm);
	return xasprintf("sky-%s-000000_%s_%" PRIu32, ts, cluster, job->job_id);
}

char **job_env_sky_vars(const Sky__LaunchJob *lj, const struct job_env_ctx *c)
{
	const Sky__JobRecord *job = lj->job;
	struct varlist l = { lj, NULL, 0 };
	const char *user = c->user_name ? c->user_name : job->user_name;
	char num[32], *s;
	uint32_t nodes;

	if (!job || !job->desc || !job->desc->task_yaml)
		return NULL;
	add(&l, "SKYPILOT_NODE_RANK", "0");
	add(&l, "SKYPILOT_SETUP_NODE_RANK", "0");
	s = node_ips(job->node_list, c->node_name, &nodes);
	add(&l, "SKYPILOT_NODE_IPS", s);
	add(&l, "SKYPILOT_SETUP_NODE_IPS", s);
	free(s);
	snprintf(num, sizeof(num), "%" PRIu32, nodes);
	add(&l, "SKYPILOT_NUM_NODES", num);
	snprintf(num, sizeof(num), "%" PRIu32, gpus_per_node(job->desc->accelerators));
	add(&l, "SKYPILOT_NUM_GPUS_PER_NODE", num);
	add(&l, "SKYPILOT_SETUP_NUM_GPUS_PER_NODE", num);
	s = task_id(job, c);
	add(&l, "SKYPILOT_TASK_ID", s);
	free(s);
	if (user && *user)
		add(&l, "SKYPILOT_USER", user);
	if (!l.v)
		l.v = xcalloc(1, sizeof(char *));
	return l.v;
}
