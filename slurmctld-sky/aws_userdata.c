/* aws_userdata.c: user-data templates; see aws_userdata.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_userdata.h"
#include "xalloc.h"

/* EC2 takes at most 16 KiB of user-data (before base64). */
#define USERDATA_MAX 16384

const char aws_userdata_default[] =
	"#!/bin/sh\n"
	"# slurm-sky node bootstrap: node {node} of cluster {cluster},\n"
	"# {instance_type} ({market}) in {zone}. Rendered by slurmctld-sky from its\n"
	"# default template (ProviderName ... UserData=PATH replaces it).\n"
	"# The image's environment may say where the configuration and the\n"
	"# binaries are; otherwise the controller's path is used.\n"
	"SLURM_SKY_CONF=${SLURM_SKY_CONF:-{conf}}\n"
	"SLURMD_NODENAME={node}\n"
	"SLURM_SKY_CTLD_HOST={ctld_host}\n"
	"SLURM_SKY_CTLD_PORT={ctld_port}\n"
	"PATH=$PATH:/usr/local/sbin:/usr/sbin\n"
	"# The instance metadata (spot interruption notices, the instance id);\n"
	"# set to empty to turn the polling off.\n"
	"SKY_IMDS_ENDPOINT=${SKY_IMDS_ENDPOINT-http://169.254.169.254}\n"
	"export SLURM_SKY_CONF SLURMD_NODENAME SLURM_SKY_CTLD_HOST SLURM_SKY_CTLD_PORT PATH\n"
	"export SKY_IMDS_ENDPOINT\n"
	"exec slurmd-sky -f \"$SLURM_SKY_CONF\" -N {node}\n";

/* Templates are a few KiB at most: appending with xstrfmtcat is plenty. */
static void put(char **b, const char *s, size_t n)
{
	xstrfmtcat(b, "%.*s", (int)n, s);
}

static const char *value_of(const struct aws_userdata_vars *v, const char *name, size_t len,
			    char *num, size_t num_len)
{
#define IS(k) (len == sizeof(k) - 1 && !strncmp(name, k, len))
	if (IS("node"))
		return v->node;
	if (IS("cluster"))
		return v->cluster;
	if (IS("ctld_host"))
		return v->ctld_host;
	if (IS("conf"))
		return v->conf;
	if (IS("instance_type"))
		return v->instance_type;
	if (IS("region"))
		return v->region;
	if (IS("zone"))
		return v->zone;
	if (IS("market"))
		return v->spot ? "spot" : "on-demand";
	if (IS("ctld_port")) {
		snprintf(num, num_len, "%u", v->ctld_port);
		return num;
	}
#undef IS
	return NULL;
}

char *aws_userdata_render(const char *tmpl, const struct aws_userdata_vars *v)
{
	char *b = NULL;
	const char *p = tmpl;

	put(&b, "", 0);
	while (*p) {
		const char *open = strchr(p, '{'), *close, *val;
		char num[16];

		if (!open) {
			put(&b, p, strlen(p));
			break;
		}
		put(&b, p, (size_t)(open - p));
		if (open[1] == '{') {
			put(&b, "{", 1);
			p = open + 2;
			continue;
		}
		close = strchr(open + 1, '}');
		val = close ? value_of(v, open + 1, (size_t)(close - open - 1), num, sizeof(num))
			    : NULL;
		if (!val) {
			put(&b, "{", 1);
			p = open + 1;
			continue;
		}
		put(&b, val, strlen(val));
		p = close + 1;
	}
	return b;
}

int aws_userdata_load(const char *path, char **out, struct sky_errbuf *eb)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return sky_err_set(eb, SKY_E_CONFIG, "UserData=%s: %s", path, strerror(errno));
	buf = xmalloc(USERDATA_MAX + 2);
	n = fread(buf, 1, USERDATA_MAX + 1, f);
	fclose(f);
	if (n > USERDATA_MAX) {
		free(buf);
		return sky_err_set(eb, SKY_E_CONFIG, "UserData=%s: larger than EC2's %d bytes", path,
				   USERDATA_MAX);
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		free(buf);
		return sky_err_set(eb, SKY_E_CONFIG, "UserData=%s: not a text file", path);
	}
	*out = buf;
	return 0;
}
