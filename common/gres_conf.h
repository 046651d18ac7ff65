/*
 * gres_conf.h: gres.conf, the per-node description of GRES devices
 * (gres.conf(5); slurm.md section 6).
 *
 * Like Slurm, the file is read from the directory of slurm.conf. Lines are
 * "Key=Value" words; '#' starts a comment; keys are case-insensitive:
 *   AutoDetect=nvml|nvidia|rsmi|oneapi|nrt|full|off   (alone: the default for
 *       every node; with NodeName=: for those nodes)
 *   [NodeName=<hostlist>] Name=gpu [Type=a100] [File=/dev/nvidia[0-3]]
 *       [MultipleFiles=...] [Count=N] [Cores=0-7] [CPUs=...] [Links=...]
 *       [Flags=...] [AutoDetect=...]
 * A record without NodeName= applies to every node. Count defaults to the
 * number of files (1 without files). Errors name "file:line".
 */
#ifndef SKY_GRES_CONF_H
#define SKY_GRES_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gres.h"
#include "sky_err.h"

enum gres_autodetect {
	GRES_AUTODETECT_UNSET = 0,
	GRES_AUTODETECT_OFF,
	GRES_AUTODETECT_NVML,      /* nvml, nvidia */
	GRES_AUTODETECT_RSMI,
	GRES_AUTODETECT_ONEAPI,
	GRES_AUTODETECT_NRT,
	GRES_AUTODETECT_FULL,
};

struct gres_conf_rec {
	char *nodes;               /* NodeName= hostlist, or NULL: every node */
	char *name;                /* Name=, or NULL for an AutoDetect-only line */
	char *type;                /* Type= or NULL */
	char **files;              /* File=/MultipleFiles= expanded, in order */
	size_t n_files;
	uint64_t count;            /* Count=, else n_files, else 1 */
	char *cores, *links, *flags;
	enum gres_autodetect autodetect; /* UNSET unless given on this line */
	int line;
};

struct gres_conf {
	char *path;                /* the file read, or NULL when there was none */
	enum gres_autodetect autodetect; /* global AutoDetect=, UNSET when not given */
	struct gres_conf_rec *recs;
	size_t n_recs;
};

/* One device a node gets from gres.conf. */
struct gres_conf_dev {
	const char *name, *type;   /* borrowed from the record */
	const char *file;          /* borrowed; NULL for Count= only records */
	int dev_num;               /* the number ending the file name (/dev/nvidia3 -> 3), or -1 */
};

/* gres.conf beside the slurm.conf at conf_path. Caller frees. */
char *gres_conf_path(const char *conf_path);

/*
 * Read path into *gc (zeroed first). A missing file is not an error (an empty
 * gres.conf with path NULL). SKY_E_CONFIG "path:line: ..." on bad content.
 * Caller frees with gres_conf_free().
 */
int gres_conf_load(const char *path, struct gres_conf *gc, struct sky_errbuf *eb);
/* Same, from text; name stands for the file in messages. */
int gres_conf_parse(const char *text, const char *name, struct gres_conf *gc,
		    struct sky_errbuf *eb);
void gres_conf_free(struct gres_conf *gc);

/* Parse an AutoDetect= value. false when unknown. */
bool gres_autodetect_parse(const char *v, enum gres_autodetect *out);

/*
 * What node gets from gc: *list (Gres= form, counts per (name, type), file
 * order), *devs (every device with a file, in file order; caller frees the
 * array only) and the AutoDetect mode that applies (per-node over global;
 * UNSET when none). Any output pointer may be NULL.
 */
void gres_conf_for_node(const struct gres_conf *gc, const char *node, struct gres_list *list,
			struct gres_conf_dev **devs, size_t *n_devs, enum gres_autodetect *ad);

/*
 * Expand a File= value: "/dev/nvidia[0-3]", "/dev/nvidia0,/dev/nvidia2",
 * "/dev/nvidia[0,2-3]". SKY_E_CONFIG on a malformed range. Caller frees
 * every string and the array.
 */
int gres_conf_expand_files(const char *v, char ***files, size_t *n, struct sky_errbuf *eb);

#endif
