/*
 * priority.h: multifactor job priority (slurm.md section 7, "Priority formula").
 *
 *   priority = site + W_age*age + W_assoc*assoc + W_fs*fairshare
 *            + W_js*jobsize + W_part*partition + W_qos*qos
 *            + sum(W_tres_i * tres_i) - nice
 *
 * Every factor is in [0,1] (unless a NO_NORMAL_* flag keeps it raw); the
 * sum is truncated to uint32, below 1 raised to 1 (0 means held) and above
 * 4294967295 cut to it, as Slurm's _get_priority_internal does.
 *
 * Everything a job needs is in struct prio_job and struct prio_cluster,
 * which the controller fills once per cycle (fair-share factors from
 * fs_compute, partition and QOS maxima, cluster size), so prio_compute is
 * O(number of TRES) per job.
 */
#ifndef SKY_PRIORITY_H
#define SKY_PRIORITY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "assoc.h"
#include "fairshare.h"
#include "sky_err.h"

/* PriorityFlags. */
enum prio_flag {
	PRIO_FLAG_ACCRUE_ALWAYS = 1u << 0,
	PRIO_FLAG_CALCULATE_RUNNING = 1u << 1,
	PRIO_FLAG_DEPTH_OBLIVIOUS = 1u << 2,   /* accepted; computed as classic */
	PRIO_FLAG_NO_FAIR_TREE = 1u << 3,      /* classic fair share */
	PRIO_FLAG_INCR_ONLY = 1u << 4,
	PRIO_FLAG_MAX_TRES = 1u << 5,
	PRIO_FLAG_NO_NORMAL_ASSOC = 1u << 6,
	PRIO_FLAG_NO_NORMAL_PART = 1u << 7,
	PRIO_FLAG_NO_NORMAL_QOS = 1u << 8,
	PRIO_FLAG_NO_NORMAL_TRES = 1u << 9,
	PRIO_FLAG_SMALL_RELATIVE_TO_TIME = 1u << 10,
	PRIO_FLAG_NO_NORMAL_ALL = PRIO_FLAG_NO_NORMAL_ASSOC | PRIO_FLAG_NO_NORMAL_PART |
				  PRIO_FLAG_NO_NORMAL_QOS | PRIO_FLAG_NO_NORMAL_TRES,
};

/* The slurm.conf Priority* keys (and the fair-share ones beside them). */
struct prio_conf {
	uint32_t weight_age;          /* PriorityWeightAge */
	uint32_t weight_assoc;        /* PriorityWeightAssoc */
	uint32_t weight_fs;           /* PriorityWeightFairshare */
	uint32_t weight_js;           /* PriorityWeightJobSize */
	uint32_t weight_part;         /* PriorityWeightPartition */
	uint32_t weight_qos;          /* PriorityWeightQOS */
	double weight_tres[ASSOC_TRES_MAX]; /* PriorityWeightTRES=cpu=..,gres/gpu=.. by TRES index */
	bool has_weight_tres;
	uint32_t max_age_secs;        /* PriorityMaxAge, default 7-0 */
	bool favor_small;             /* PriorityFavorSmall */
	uint32_t flags;               /* PriorityFlags, PRIO_FLAG_* */
	uint32_t decay_half_life_secs;/* PriorityDecayHalfLife, default 7-0; 0: none */
	uint32_t calc_period_secs;    /* PriorityCalcPeriod, default 5 minutes */
	enum fs_reset_period reset_period; /* PriorityUsageResetPeriod, default NONE */
	uint32_t damp_factor;         /* FairShareDampeningFactor, default 1 */
};

/* Slurm's defaults: every weight 0, MaxAge and DecayHalfLife 7 days, CalcPeriod 5 min. */
void prio_conf_defaults(struct prio_conf *c);

/*
 * Set one key from its slurm.conf value. key is matched case-insensitively
 * among PriorityWeight{Age,Assoc,Fairshare,JobSize,Partition,QOS,TRES},
 * PriorityMaxAge, PriorityFavorSmall, PriorityFlags, PriorityDecayHalfLife,
 * PriorityCalcPeriod, PriorityUsageResetPeriod, FairShareDampeningFactor.
 * Weights are 0..4294967295; times are Slurm time strings ("7-0", "14-0",
 * "5" minutes); PriorityFavorSmall is YES/NO; PriorityFlags a comma list of
 * flag names; PriorityWeightTRES a list of TRES=weight over t's names.
 * SKY_E_NOT_FOUND for another key (so the caller can try its other
 * tables), SKY_E_CONFIG naming key and value for a bad value; *c is then
 * unchanged.
 */
int prio_conf_set(struct prio_conf *c, const struct tres_table *t, const char *key,
		  const char *value, struct sky_errbuf *eb);

/* The fair-share parameters the flags select (NO_FAIR_TREE or DEPTH_OBLIVIOUS: classic). */
struct fs_params prio_fs_params(const struct prio_conf *c);

/* Per-cycle facts shared by every job. */
struct prio_cluster {
	uint32_t node_count;          /* nodes in the cluster (job size) */
	uint32_t cpu_count;           /* CPUs in the cluster (job size) */
	uint32_t part_max_job_factor; /* largest partition PriorityJobFactor */
	uint32_t qos_max_priority;    /* largest QOS Priority */
	uint32_t assoc_max_priority;  /* largest association Priority */
};

/* What one job contributes. */
struct prio_job {
	time_t eligible;              /* when it began accruing age (0: not yet) */
	double fs_factor;             /* its association's assoc_fs.fs_factor */
	uint32_t assoc_priority;      /* its association's Priority (0 if unset) */
	uint32_t min_nodes;
	uint32_t cpus;                /* CPUs asked (or allocated); 0 if unknown */
	uint32_t time_limit_mins;     /* for SMALL_RELATIVE_TO_TIME; 0 if unknown */
	uint32_t part_job_factor;     /* its partition's PriorityJobFactor */
	uint32_t qos_priority;        /* its QOS's Priority */
	int64_t nice;                 /* --nice, -2147483645..2147483645 */
	int64_t site_factor;          /* set by a site plugin or scontrol (AdminComment) */
	const uint64_t *tres;         /* counts by TRES index (NULL: none) */
	const uint64_t *part_tres;    /* the partition's totals by TRES index (NULL: none) */
};

/* The factors and weighted values of one job: what sprio prints. */
struct prio_factors {
	/* Factors, normally 0..1 (sprio -n). */
	double age, assoc, fairshare, jobsize, partition, qos;
	double tres[ASSOC_TRES_MAX];
	/* Weighted values (sprio, sprio -l): factor x weight. */
	double w_age, w_assoc, w_fs, w_js, w_part, w_qos, w_tres_sum;
	double w_tres[ASSOC_TRES_MAX];
	int64_t nice, site;
	uint32_t priority;            /* PRIORITY */
};

/*
 * The priority of a job at now; f (may be NULL) receives the breakdown.
 * Factors whose weight is 0 are not computed (reported as 0), as in Slurm.
 */
uint32_t prio_compute(const struct prio_conf *c, const struct prio_cluster *cl,
		      const struct prio_job *j, time_t now, struct prio_factors *f);

/*
 * sprio's TRES column: "cpu=250,gres/gpu=1000" from f->w_tres, each value
 * rounded to an integer, zero ones left out; "" when none. Caller frees.
 */
char *prio_tres_str(const struct tres_table *t, const struct prio_factors *f);

/*
 * The order the scheduler evaluates pending jobs in (slurm.md section 7):
 * reservation jobs first, then higher partition PriorityTier, higher
 * priority, earlier submission, lower job id. qsort-compatible on
 * struct prio_sort_key.
 */
struct prio_sort_key {
	bool in_reservation;
	uint16_t part_tier;
	uint32_t priority;
	time_t submit;
	uint32_t job_id;
};
int prio_sort_cmp(const void *a, const void *b);

#endif
