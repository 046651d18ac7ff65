/*
 * aws_userdata.h: the user-data an AWS instance boots with: a template
 * (UserData=PATH of the ProviderName record, else the default below) with
 * variables in braces replaced:
 *
 *   {node}           the node slot's name (slurmd-sky -N)
 *   {cluster}        ClusterName
 *   {ctld_host}      SlurmctldHost (its (addr) part when given)
 *   {ctld_port}      SlurmctldPort (0: no TCP listener)
 *   {conf}           the controller's slurm.conf path
 *   {instance_type}  e.g. p4d.24xlarge
 *   {region} {zone}  where it was launched
 *   {market}         "spot" or "on-demand"
 *   {{               a literal "{"
 *
 * Anything else in braces is left as written, so shell's ${VAR:-default}
 * needs no escaping. The default template starts the node agent for the
 * slot; it honours SLURM_SKY_CONF and PATH from the image's environment
 * (the VM test harness tests/aws/vm_sim.py sets them), falling back to
 * {conf} and the standard paths.
 */
#ifndef SKY_AWS_USERDATA_H
#define SKY_AWS_USERDATA_H

#include <stdbool.h>

#include "sky_err.h"

struct aws_userdata_vars {
	const char *node, *cluster, *ctld_host, *conf, *instance_type, *region, *zone;
	unsigned ctld_port;
	bool spot;
};

/* The built-in template. */
extern const char aws_userdata_default[];

/* tmpl with the variables replaced. Caller frees. */
char *aws_userdata_render(const char *tmpl, const struct aws_userdata_vars *v);

/* Read a template file (at most 16 KiB, EC2's user-data limit). Caller frees
 * *out. SKY_E_CONFIG naming the file when unreadable or too big. */
int aws_userdata_load(const char *path, char **out, struct sky_errbuf *eb);

#endif
