/*
 * prov_aws_plan.c: the AWS provider's configuration (a ProviderName=NAME
 * Type=aws record), its price catalog, and where a job's nodes go (the
 * optimizer's cheapest feasible offering, one for all of a job's nodes).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_userdata.h"
#include "ctld.h"
#include "gres.h"
#include "gres_alloc.h"
#include "log.h"
#include "prov_aws_int.h"
#include "xalloc.h"

#ifndef SKY_CATALOG_DIR
#define SKY_CATALOG_DIR "/usr/share/slurm-sky/catalogs"
#endif

/* "a,b, c" into a list of words. */
static void split_list(const char *s, char ***v, size_t *n)
{
	*v = NULL;
	*n = 0;
	while (s && *s) {
		size_t l = strcspn(s, ",");
		const char *b = s, *e = s + l;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b) {
			*v = xrealloc(*v, (*n + 2) * sizeof(**v));
			(*v)[(*n)++] = xstrndup(b, (size_t)(e - b));
			(*v)[*n] = NULL;
		}
		s += l + (s[l] == ',');
	}
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void aws_pconf_free(struct aws_pconf *pc)
{
	free_list(pc->regions, pc->n_regions);
	free_list(pc->zones, pc->n_zones);
	free_list(pc->globs, pc->n_globs);
	free_list(pc->sgs, pc->n_sgs);
	free(pc->catalog);
	free(pc->image);
	free(pc->iam_profile);
	free(pc->subnet);
	free(pc->user_data_path);
	free(pc->user_data_tmpl);
	free(pc->endpoint);
	free(pc->profile);
	memset(pc, 0, sizeof(*pc));
}

static char *opt_dup(const struct conf_provider *cp, const char *key)
{
	const char *v = conf_provider_opt(cp, key);

	return v && *v ? xstrdup(v) : NULL;
}

/* The shipped catalogs: installed, else the source tree's (a build tree). */
static char *default_catalog(void)
{
	struct stat st;

	if (stat(SKY_CATALOG_DIR, &st) == 0)
		return xstrdup(SKY_CATALOG_DIR);
#ifdef SKY_SRC_CATALOG_DIR
	if (stat(SKY_SRC_CATALOG_DIR, &st) == 0)
		return xstrdup(SKY_SRC_CATALOG_DIR);
#endif
	return xstrdup(SKY_CATALOG_DIR);
}

/* "us-east-1a" is a zone of "us-east-1": the region and then letters. */
static bool zone_in_regions(const struct aws_pconf *pc, const char *zone)
{
	for (size_t i = 0; i < pc->n_regions; i++) {
		size_t l = strlen(pc->regions[i]);
		if (!strncmp(zone, pc->regions[i], l) && zone[l] &&
		    strspn(zone + l, "abcdefghijklmnopqrstuvwxyz") == strlen(zone + l))
			return true;
	}
	return false;
}

static int parse_numbers(const struct conf_provider *cp, struct aws_pconf *pc,
			 struct sky_errbuf *eb)
{
	const char *v = conf_provider_opt(cp, "Spot");
	char *end;

	pc->spot = OPT_SPOT_NO;
	if (v && !opt_spot_parse(v, &pc->spot))
		return sky_err_set(eb, SKY_E_CONFIG, "invalid Spot '%s' (no, yes, only or prefer)", v);
	if ((v = conf_provider_opt(cp, "MaxNodes"))) {
		unsigned long m = strtoul(v, &end, 10);
		if (*end || !*v || m == 0 || m > 1000000)
			return sky_err_set(eb, SKY_E_CONFIG, "invalid MaxNodes '%s' (a positive number)", v);
		pc->max_nodes = (uint32_t)m;
	}
	/* Not a slurm.conf key (yet): tests and impatient admins shorten it. */
	pc->poll_secs = 10;
	v = getenv("SKY_AWS_POLL_INTERVAL");
	if (v && *v) {
		unsigned long s = strtoul(v, &end, 10);
		if (*end || s == 0 || s > 3600)
			return sky_err_set(eb, SKY_E_CONFIG,
					   "invalid SKY_AWS_POLL_INTERVAL '%s' (seconds, 1-3600)", v);
		pc->poll_secs = (uint32_t)s;
	}
	return 0;
}

int aws_pconf_parse(const struct sky_conf *conf, const struct conf_provider *cp,
		    struct aws_pconf *pc, struct sky_errbuf *eb)
{
	struct stat st;
	int rc;

	(void)conf;
	memset(pc, 0, sizeof(*pc));
	if (!cp)
		return sky_err_set(eb, SKY_E_CONFIG,
				   "Type=aws needs a ProviderName record (Regions=, Image=)");
	split_list(conf_provider_opt(cp, "Regions"), &pc->regions, &pc->n_regions);
	split_list(conf_provider_opt(cp, "Zones"), &pc->zones, &pc->n_zones);
	split_list(conf_provider_opt(cp, "InstanceTypes"), &pc->globs, &pc->n_globs);
	split_list(conf_provider_opt(cp, "SecurityGroups"), &pc->sgs, &pc->n_sgs);
	pc->image = opt_dup(cp, "Image");
	pc->iam_profile = opt_dup(cp, "InstanceProfile");
	pc->subnet = opt_dup(cp, "Subnet");
	pc->user_data_path = opt_dup(cp, "UserData");
	pc->endpoint = opt_dup(cp, "Endpoint");
	pc->profile = opt_dup(cp, "Profile");
	pc->catalog = opt_dup(cp, "Catalog");
	if (!pc->catalog)
		pc->catalog = default_catalog();
	if (!pc->n_regions) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Regions= is required (e.g. Regions=us-east-1,us-west-2)");
		goto fail;
	}
	for (size_t i = 0; i < pc->n_zones; i++)
		if (!zone_in_regions(pc, pc->zones[i])) {
			rc = sky_err_set(eb, SKY_E_CONFIG, "zone '%s' of Zones= is in none of Regions=",
					 pc->zones[i]);
			goto fail;
		}
	if (!pc->image) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Image= is required (the AMI id of the node image, ami-...)");
		goto fail;
	}
	if (strncmp(pc->image, "ami-", 4) || !pc->image[4]) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "invalid Image '%s' (an AMI id, ami-...)", pc->image);
		goto fail;
	}
	if ((rc = parse_numbers(cp, pc, eb)))
		goto fail;
	if (stat(pc->catalog, &st)) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Catalog=%s: %s", pc->catalog, strerror(errno));
		goto fail;
	}
	if (pc->user_data_path) {
		if ((rc = aws_userdata_load(pc->user_data_path, &pc->user_data_tmpl, eb)))
			goto fail;
	} else {
		pc->user_data_tmpl = xstrdup(aws_userdata_default);
	}
	return 0;
fail:
	aws_pconf_free(pc);
	return rc;
}

static bool allowed(const struct aws_pconf *pc, const struct offering *o)
{
	bool ok = false;

	if (strcmp(o->cloud, "aws"))
		return false;
	for (size_t i = 0; i < pc->n_regions && !ok; i++)
		ok = !strcmp(o->region, pc->regions[i]);
	if (!ok || !pc->n_zones)
		return ok;
	for (size_t i = 0; i < pc->n_zones; i++)
		if (!strcmp(o->zone, pc->zones[i]))
			return true;
	return false;
}

int aws_catalog_load(const struct aws_pconf *pc, struct catalog **out, struct sky_errbuf *eb)
{
	struct catalog *cat = catalog_new();
	struct stat st;
	size_t usable = 0;
	int rc;

	if (stat(pc->catalog, &st)) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Catalog=%s: %s", pc->catalog, strerror(errno));
		goto fail;
	}
	rc = S_ISDIR(st.st_mode) ? catalog_load_dir(cat, pc->catalog, eb)
				 : catalog_load_file(cat, pc->catalog, "aws", eb);
	if (rc)
		goto fail;
	for (size_t i = 0; i < cat->n; i++)
		usable += allowed(pc, &cat->v[i]);
	if (!usable) {
		rc = sky_err_set(eb, SKY_E_CONFIG, "Catalog=%s has no aws offering in Regions=%s%s%s",
				 pc->catalog, pc->regions[0], pc->n_regions > 1 ? ",..." : "",
				 pc->n_zones ? " and Zones=" : "");
		goto fail;
	}
	*out = cat;
	return 0;
fail:
	catalog_free(cat);
	return rc;
}

static const char *const aws_clouds[] = { "aws" };

int aws_job_request(const struct aws_pconf *pc, const struct job *j, uint32_t nnodes,
		    struct opt_request *req, struct gres_list *gres, struct sky_errbuf *eb)
{
	const Sky__JobRecord *r = j->rec;
	const Sky__JobDesc *d = r->desc;
	uint32_t nodes = nnodes ? nnodes : (r->num_nodes ? r->num_nodes : 1);
	bool whole_mem = d->has_mem_set && d->mem_set && !d->mem_per_node_mb && !d->mem_per_cpu_mb;
	int rc;

	memset(req, 0, sizeof(*req));
	memset(gres, 0, sizeof(*gres));
	if ((rc = gres_job_need(d, nodes, gres_tasks_per_node(d, nodes, r->num_tasks), gres, eb)))
		return rc;
	for (size_t i = 0; i < gres->n; i++)
		if (!strcmp(gres->v[i].name, "gpu")) {
			req->gpu_type = gres->v[i].type;
			req->gpus_per_node = (uint32_t)gres->v[i].count;
		}
	req->cpus_per_node = r->cpus_per_node ? r->cpus_per_node : 1;
	req->mem_mib_per_node = whole_mem ? 0 : r->mem_per_node_mb;
	req->nodes = nodes;
	req->clouds = aws_clouds;
	req->n_clouds = 1;
	req->regions = (const char *const *)pc->regions;
	req->n_regions = pc->n_regions;
	req->zones = (const char *const *)pc->zones;
	req->n_zones = pc->n_zones;
	req->type_globs = (const char *const *)pc->globs;
	req->n_type_globs = pc->n_globs;
	req->spot = pc->spot;
	return 0;
}

void aws_plan_clear(struct aws_plan *p)
{
	free(p->gpu_type);
	free(p->why);
	memset(p, 0, sizeof(*p));
}

int aws_plan_make(const struct aws_pconf *pc, const struct catalog *cat,
		  const struct blocklist *bl, const struct job *j, uint32_t nnodes, time_t now,
		  struct aws_plan *out, struct sky_errbuf *eb)
{
	struct opt_request req;
	struct gres_list gres;
	size_t n_out = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->job_id = j->rec->job_id;
	out->restart = j->rec->restart_count;
	if ((rc = aws_job_request(pc, j, nnodes, &req, &gres, eb)))
		goto out;
	out->nodes = req.nodes;
	out->gpus = req.gpus_per_node;
	out->gpu_type = req.gpu_type ? xstrdup(req.gpu_type) : NULL;
	if ((rc = optimizer_place(cat, bl, &req, now, &out->choice, 1, &n_out, NULL, eb)))
		goto out;
	out->ok = n_out == 1;
	if (!out->ok)
		out->why = optimizer_why_none(cat, bl, &req, now);
out:
	gres_list_free(&gres);
	return rc;
}
