/* dist_logic.c: see dist_logic.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dist_logic.h"
#include "hostlist.h"
#include "xalloc.h"

void dist_conf_init(struct dist_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->port_lo = DIST_PORT_LO_DEFAULT;
	c->port_hi = DIST_PORT_HI_DEFAULT;
	c->families = DIST_FAM_ALL;
}

void dist_conf_free(struct dist_conf *c)
{
	FREE_NULL(c->slurm_conf);
}

int dist_port_parse(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int dist_families_parse(const char *s, unsigned *fam, char *err, size_t errlen)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "torch", DIST_FAM_TORCH }, { "pytorch", DIST_FAM_TORCH },
		{ "skypilot", DIST_FAM_SKYPILOT }, { "jax", DIST_FAM_JAX },
		{ "all", DIST_FAM_ALL }, { "none", 0 },
	};
	unsigned bits = 0;
	const char *p = s;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && strncasecmp(p, names[i].name, len) == 0) {
				bits |= names[i].bit;
				found = true;
			}
		if (!found && len) {
			snprintf(err, errlen, "unknown family '%.*s' in families=%s (known: torch, skypilot, jax)",
				 (int)len, p, s);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*fam = bits;
	return 0;
}

static int parse_range(const char *v, struct dist_conf *c, char *err, size_t errlen)
{
	char *dash = strchr(v, '-'), *lo;
	unsigned a, b;
	int rc;

	if (!dash) {
		snprintf(err, errlen, "port_range=%s: expected LO-HI", v);
		return -1;
	}
	lo = xstrndup(v, (size_t)(dash - v));
	rc = dist_port_parse(lo, &a) || dist_port_parse(dash + 1, &b);
	free(lo);
	if (rc || a > b) {
		snprintf(err, errlen, "port_range=%s: expected LO-HI with 1 <= LO <= HI <= 65535", v);
		return -1;
	}
	c->port_lo = a;
	c->port_hi = b;
	return 0;
}

int dist_conf_parse(int ac, char **av, struct dist_conf *c, char *err, size_t errlen)
{
	for (int i = 0; i < ac; i++) {
		const char *a = av[i], *eq = strchr(a, '=');
		const char *v = eq ? eq + 1 : "";
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);

		if (klen == 10 && strncmp(a, "port_range", klen) == 0) {
			if (parse_range(v, c, err, errlen))
				return -1;
		} else if (klen == 8 && strncmp(a, "families", klen) == 0) {
			if (dist_families_parse(v, &c->families, err, errlen))
				return -1;
		} else if (klen == 10 && strncmp(a, "slurm_conf", klen) == 0 && *v) {
			free(c->slurm_conf);
			c->slurm_conf = xstrdup(v);
		} else {
			snprintf(err, errlen,
				 "unknown argument '%s' (known: port_range=LO-HI, families=LIST, slurm_conf=PATH)",
				 a);
			return -1;
		}
	}
	return 0;
}

unsigned dist_port_for_job(uint32_t job_id, const struct dist_conf *c)
{
	unsigned span = c->port_hi - c->port_lo + 1;

	return c->port_lo + (unsigned)(job_id % span);
}

/* The value of key=... in a whitespace-separated line, case-insensitive key. Caller frees. */
static char *line_value(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, " \t\r\n");
		if (len > klen && p[klen] == '=' && strncasecmp(p, key, klen) == 0)
			return xstrndup(p + klen + 1, len - klen - 1);
		p += len;
	}
	return NULL;
}

/*
 * The address paired with host on one NodeName= line, or NULL. A slurm-sky
 * node without NodeAddr whose Provider is local (the default) gives "": it
 * runs on the controller's machine. Caller frees.
 */
static char *line_node_addr(const char *line, const char *host)
{
	char *names = line_value(line, "NodeName"), *addrs = NULL, *prov = NULL, *out = NULL;
	char **nv = NULL, **av = NULL;
	size_t nn = 0, na = 0;

	if (!names || strcasecmp(names, "DEFAULT") == 0 || hostlist_expand(names, &nv, &nn, NULL))
		goto out;
	addrs = line_value(line, "NodeAddr");
	if (addrs && hostlist_expand(addrs, &av, &na, NULL))
		goto out;
	prov = line_value(line, "Provider");
	for (size_t i = 0; i < nn && !out; i++) {
		if (strcmp(nv[i], host) != 0)
			continue;
		if (addrs)
			out = xstrdup(na == nn ? av[i] : na == 1 ? av[0] : NULL);
		else if (!prov || strcasecmp(prov, "local") == 0)
			out = xstrdup("");
		else
			break;
	}
out:
	for (size_t i = 0; nv && i < nn; i++)
		free(nv[i]);
	for (size_t i = 0; av && i < na; i++)
		free(av[i]);
	free(nv);
	free(av);
	free(names);
	free(addrs);
	free(prov);
	return out;
}

char *dist_conf_node_addr(const char *slurm_conf, const char *host)
{
	FILE *f = slurm_conf && *slurm_conf ? fopen(slurm_conf, "re") : NULL;
	char *line = NULL, *out = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (!out && getline(&line, &cap, f) > 0) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		out = line_node_addr(line, host);
	}
	free(line);
	fclose(f);
	return out;
}

/* name's IPv4 (else IPv6) address as text, or NULL. Caller frees. */
static char *resolve(const char *name)
{
	struct addrinfo hints, *res = NULL;
	char buf[INET6_ADDRSTRLEN];
	char *out = NULL;

	for (int fam = 0; fam < 2 && !out; fam++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = fam == 0 ? AF_INET : AF_INET6;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(name, NULL, &hints, &res) != 0)
			continue;
		for (struct addrinfo *ai = res; ai && !out; ai = ai->ai_next) {
			const void *a = ai->ai_family == AF_INET
					? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
					: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			if (inet_ntop(ai->ai_family, a, buf, sizeof(buf)))
				out = xstrdup(buf);
		}
		freeaddrinfo(res);
	}
	return out;
}

char *dist_node_addr(const char *host, const char *slurm_conf, const char *this_node)
{
	char *addr = dist_conf_node_addr(slurm_conf, host);
	bool local = addr && !*addr;

	if (local)
		FREE_NULL(addr);
	/* A NodeAddr may itself be a name. */
	if (addr) {
		char *r = resolve(addr);
		if (r) {
			free(addr);
			return r;
		}
		return addr;
	}
	if ((addr = resolve(host)))
		return addr;
	if (local || (this_node && strcmp(host, this_node) == 0))
		return xstrdup("127.0.0.1");
	return xstrdup(host);
}

unsigned dist_gpus_on_node(const char *gpus_on_node, const char *job_gpus)
{
	unsigned n = 0;

	if (gpus_on_node && *gpus_on_node) {
		char *end;
		unsigned long v = strtoul(gpus_on_node, &end, 10);
		if (!*end && v < 65536)
			return (unsigned)v;
	}
	if (job_gpus && *job_gpus) {
		n = 1;
		for (const char *p = job_gpus; *p; p++)
			n += *p == ',';
	}
	return n;
}

static void push(struct dist_var **v, size_t *n, const char *name, char *value)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].value = value;
	(*n)++;
}

static void pushu(struct dist_var **v, size_t *n, const char *name, unsigned long value)
{
	push(v, n, name, xasprintf("%lu", value));
}

int dist_vars(const struct dist_conf *c, const struct dist_task *t, struct dist_var **vars,
	      size_t *n, char *err, size_t errlen)
{
	struct sky_errbuf eb;
	char **hosts = NULL, *master, *ips = NULL;
	size_t nhosts = 0;
	unsigned port = t->port ? t->port : dist_port_for_job(t->job_id, c);
	/* Slurm's batch step reports the job's -n as its task count, 0 without -n. */
	uint32_t world = t->total_tasks < t->local_tasks ? t->local_tasks : t->total_tasks;

	*vars = NULL;
	*n = 0;
	sky_err_clear(&eb);
	if (hostlist_expand(t->nodelist, &hosts, &nhosts, &eb) || nhosts == 0) {
		snprintf(err, errlen, "cannot use node list '%s': %s", t->nodelist ? t->nodelist : "",
			 eb.code ? sky_err_msg(&eb) : "empty");
		for (size_t i = 0; i < nhosts; i++)
			free(hosts[i]);
		free(hosts);
		return -1;
	}
	master = dist_node_addr(hosts[0], c->slurm_conf, t->this_node);
	if (c->families & DIST_FAM_SKYPILOT)
		for (size_t i = 0; i < nhosts; i++) {
			char *a = i ? dist_node_addr(hosts[i], c->slurm_conf, t->this_node) : xstrdup(master);
			xstrfmtcat(&ips, "%s%s", i ? "\n" : "", a);
			free(a);
		}
	if (c->families & DIST_FAM_TORCH) {
		push(vars, n, "MASTER_ADDR", xstrdup(master));
		pushu(vars, n, "MASTER_PORT", port);
		pushu(vars, n, "WORLD_SIZE", world);
		pushu(vars, n, "RANK", t->global_id);
		pushu(vars, n, "LOCAL_RANK", t->local_id);
		pushu(vars, n, "LOCAL_WORLD_SIZE", t->local_tasks);
		pushu(vars, n, "NODE_RANK", t->nodeid);
		pushu(vars, n, "GROUP_RANK", t->nodeid);
	}
	if (c->families & DIST_FAM_SKYPILOT) {
		pushu(vars, n, "SKYPILOT_NODE_RANK", t->nodeid);
		push(vars, n, "SKYPILOT_NODE_IPS", ips);
		ips = NULL;
		pushu(vars, n, "SKYPILOT_NUM_NODES", nhosts);
		pushu(vars, n, "SKYPILOT_NUM_GPUS_PER_NODE", t->gpus_per_node);
	}
	if (c->families & DIST_FAM_JAX) {
		push(vars, n, "JAX_COORDINATOR_ADDRESS",
		     xasprintf(strchr(master, ':') ? "[%s]:%u" : "%s:%u", master, port));
		pushu(vars, n, "JAX_NUM_PROCESSES", world);
		pushu(vars, n, "JAX_PROCESS_ID", t->global_id);
	}
	free(ips);
	free(master);
	for (size_t i = 0; i < nhosts; i++)
		free(hosts[i]);
	free(hosts);
	return 0;
}

void dist_vars_free(struct dist_var *vars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
}

/* FNV-1a: a short, stable fingerprint; collisions only make us keep a value. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

bool dist_marker_owns(const char *marker, const char *name, const char *value)
{
	char want[160];
	size_t wlen;
	const char *p = marker;

	if (!marker || !value)
		return false;
	snprintf(want, sizeof(want), "%s=%08x", name, (unsigned)fnv1a(value));
	wlen = strlen(want);
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == wlen && strncmp(p, want, len) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

void dist_marker_add(char **marker, const char *name, const char *value)
{
	xstrfmtcat(marker, "%s%s=%08x", *marker && **marker ? "," : "", name,
		   (unsigned)fnv1a(value));
}
