/*
 * slurm/spank.h: the SPANK plugin interface, written for slurm-sky from
 * Slurm's documentation (spank(8), the SPANK section of slurm.md) so that a
 * plugin builds where Slurm's own header is not installed, and so that
 * slurmd-sky and sbatch-sky can host plugins built against Slurm's header.
 *
 * The names, the order of the enums, the numeric error codes and the layout
 * of struct spank_option are part of the binary interface plugins are built
 * against and must stay as Slurm documents them. A plugin built with this
 * header declares plugin_version = SLURM_VERSION_NUMBER; Slurm refuses a
 * plugin whose version differs from its own, so configure sets that number
 * to the installed Slurm's (see spank/README.md).
 */
#ifndef SPANK_H
#define SPANK_H

#include <stdint.h>
#include <sys/types.h>

#ifndef SLURM_VERSION_NUM
#define SLURM_VERSION_NUM(a, b, c) (((a) << 16) + ((b) << 8) + (c))
#define SLURM_VERSION_MAJOR(a) (((a) >> 16) & 0xff)
#define SLURM_VERSION_MINOR(a) (((a) >> 8) & 0xff)
#define SLURM_VERSION_MICRO(a) ((a) & 0xff)
#endif
/* The Slurm release plugins declare; configure passes the installed one. */
#ifndef SLURM_VERSION_NUMBER
#ifdef SKY_SLURM_VERSION_NUMBER
#define SLURM_VERSION_NUMBER SKY_SLURM_VERSION_NUMBER
#else
#define SLURM_VERSION_NUMBER SLURM_VERSION_NUM(22, 5, 8)
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handle passed to every hook; the host defines struct spank_handle. */
typedef struct spank_handle *spank_t;

/* Every hook: return 0 on success, a negative value on failure. */
typedef int(spank_f)(spank_t spank, int ac, char *argv[]);

extern spank_f slurm_spank_init;
extern spank_f slurm_spank_job_prolog;
extern spank_f slurm_spank_init_post_opt;
extern spank_f slurm_spank_local_user_init;
extern spank_f slurm_spank_user_init;
extern spank_f slurm_spank_task_init_privileged;
extern spank_f slurm_spank_task_init;
extern spank_f slurm_spank_task_post_fork;
extern spank_f slurm_spank_task_exit;
extern spank_f slurm_spank_job_epilog;
extern spank_f slurm_spank_slurmd_exit;
extern spank_f slurm_spank_exit;

/* Items of spank_get_item(), with the variadic arguments each takes. */
enum spank_item {
	S_JOB_UID,                /* uid_t * */
	S_JOB_GID,                /* gid_t * */
	S_JOB_ID,                 /* uint32_t * */
	S_JOB_STEPID,             /* uint32_t * */
	S_JOB_NNODES,             /* uint32_t * */
	S_JOB_NODEID,             /* uint32_t * */
	S_JOB_LOCAL_TASK_COUNT,   /* uint32_t * */
	S_JOB_TOTAL_TASK_COUNT,   /* uint32_t * */
	S_JOB_NCPUS,              /* uint16_t * */
	S_JOB_ARGV,               /* int *, char *** */
	S_JOB_ENV,                /* char *** */
	S_TASK_ID,                /* int * (local task id) */
	S_TASK_GLOBAL_ID,         /* uint32_t * */
	S_TASK_EXIT_STATUS,       /* int * */
	S_TASK_PID,               /* pid_t * */
	S_JOB_PID_TO_GLOBAL_ID,   /* pid_t, uint32_t * */
	S_JOB_PID_TO_LOCAL_ID,    /* pid_t, uint32_t * */
	S_JOB_LOCAL_TO_GLOBAL_ID, /* uint32_t, uint32_t * */
	S_JOB_GLOBAL_TO_LOCAL_ID, /* uint32_t, uint32_t * */
	S_JOB_SUPPLEMENTARY_GIDS, /* gid_t **, int * */
	S_SLURM_VERSION,          /* char ** */
	S_SLURM_VERSION_MAJOR,    /* char ** */
	S_SLURM_VERSION_MINOR,    /* char ** */
	S_SLURM_VERSION_MICRO,    /* char ** */
	S_STEP_CPUS_PER_TASK,     /* uint32_t * */
	S_JOB_ALLOC_CORES,        /* char ** */
	S_JOB_ALLOC_MEM,          /* uint64_t * (MB) */
	S_STEP_ALLOC_CORES,       /* char ** */
	S_STEP_ALLOC_MEM,         /* uint64_t * (MB) */
	S_SLURM_RESTART_COUNT,    /* uint32_t * */
	S_JOB_ARRAY_ID,           /* uint32_t * (0 outside arrays) */
	S_JOB_ARRAY_TASK_ID,      /* uint32_t * */
};
typedef enum spank_item spank_item_t;

/* Error codes: Slurm numbers them in its errno space. */
#ifndef ESPANK_SUCCESS
#define ESPANK_SUCCESS 0
#endif
enum sky_spank_errno {
	ESPANK_ERROR = 3000,
	ESPANK_BAD_ARG,
	ESPANK_NOT_TASK,
	ESPANK_ENV_EXISTS,
	ESPANK_ENV_NOEXIST,
	ESPANK_NOSPACE,
	ESPANK_NOT_REMOTE,
	ESPANK_NOEXIST,
	ESPANK_NOT_EXECD,
	ESPANK_NOT_AVAIL,
	ESPANK_NOT_LOCAL,
};
typedef int spank_err_t;
/* The documented spelling; Slurm's header names it ESPANK_NOT_TASK. */
#define ESPANK_NOTASK ESPANK_NOT_TASK

enum spank_context {
	S_CTX_ERROR,      /* the context could not be determined */
	S_CTX_LOCAL,      /* srun */
	S_CTX_REMOTE,     /* slurmstepd (slurmd-sky's job supervisor) */
	S_CTX_ALLOCATOR,  /* sbatch, salloc */
	S_CTX_SLURMD,     /* slurmd */
	S_CTX_JOB_SCRIPT, /* prolog and epilog */
};
#define HAVE_S_CTX_SLURMD 1
#define HAVE_S_CTX_JOB_SCRIPT 1
typedef enum spank_context spank_context_t;

/* remote is 1 when the callback runs on the compute node. */
typedef int (*spank_opt_cb_f)(int val, const char *optarg, int remote);

struct spank_option {
	char *name;        /* the long option, without "--" */
	char *arginfo;     /* one word naming the argument, if any */
	char *usage;       /* help text */
	int has_arg;       /* 0: none, 1: required, 2: optional */
	int val;           /* passed to cb */
	spank_opt_cb_f cb; /* called when the option is given; may be NULL */
};

/* A plugin may define this table instead of calling spank_option_register(). */
extern struct spank_option spank_options[];
#define SPANK_OPTIONS_TABLE_END { NULL, NULL, NULL, 0, 0, NULL }
#define SPANK_OPTION_MAXLEN 75

const char *spank_strerror(spank_err_t err);
int spank_symbol_supported(const char *symbol);
int spank_remote(spank_t spank);
spank_context_t spank_context(void);
spank_err_t spank_option_register(spank_t spank, struct spank_option *opt);
spank_err_t spank_option_getopt(spank_t spank, struct spank_option *opt, char **optarg);
spank_err_t spank_get_item(spank_t spank, spank_item_t item, ...);
spank_err_t spank_getenv(spank_t spank, const char *var, char *buf, int len);
spank_err_t spank_setenv(spank_t spank, const char *var, const char *val, int overwrite);
spank_err_t spank_unsetenv(spank_t spank, const char *var);
spank_err_t spank_job_control_setenv(spank_t sp, const char *name, const char *value,
				     int overwrite);
spank_err_t spank_job_control_getenv(spank_t sp, const char *name, char *buf, int len);
spank_err_t spank_job_control_unsetenv(spank_t sp, const char *name);

void slurm_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_verbose(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_debug(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_debug2(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_debug3(const char *format, ...) __attribute__((format(printf, 1, 2)));
void slurm_spank_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

/*
 * Every plugin says who it is with SPANK_PLUGIN(name, version); name is
 * also the <plugin> part of its options' environment names.
 */
#define SPANK_PLUGIN(__name, __ver)                                     \
	const char plugin_name[] = #__name;                             \
	const char plugin_type[] = "spank";                             \
	const unsigned int plugin_version = SLURM_VERSION_NUMBER;       \
	const unsigned int spank_plugin_version = __ver;

#endif /* !SPANK_H */
