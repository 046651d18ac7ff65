/*
 * cli_util.h: small pieces every client command shares (controller access,
 * Slurm-worded error text, user and job-id parsing, version output).
 */
#ifndef SKY_CLI_UTIL_H
#define SKY_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpc_client.h"
#include "sky_err.h"

/* Print "<PACKAGE_NAME> <PACKAGE_VERSION>" (what --version and scontrol version show). */
void cli_print_version(void);

/*
 * Exit status for "ordinary" failures: 1, or $SLURM_EXIT_ERROR when that is
 * set to a non-zero number (a zero value is reported and ignored, as Slurm does).
 */
int cli_error_exit(void);

/*
 * Text to show after "...failed: " for an RPC failure: Slurm's fixed wording
 * for connection problems (the socket detail is noise to users), the
 * recorded detail otherwise. Borrowed from eb.
 */
const char *cli_rpc_errtext(const struct sky_errbuf *eb);

/* Print every line of msg (lines split at '\n') as "<prog>: error: <line>". */
void cli_error_lines(const char *msg);

/*
 * Connect-free setup of the controller client (config + munge). On failure
 * the reason is in eb. Caller frees *c with sky_client_close().
 */
int cli_open(struct sky_client **c, struct sky_errbuf *eb);

/*
 * REQUEST_JOB_INFO for ids (n = 0: every job in memory, finished ones too).
 * *reply is freed with sky__job_info_reply__free_unpacked(*reply, NULL).
 */
int cli_load_jobs(struct sky_client *c, const uint32_t *ids, size_t n,
		  Sky__JobInfoReply **reply, struct sky_errbuf *eb);

/* REQUEST_NODE_INFO. *reply is freed with sky__node_info_reply__free_unpacked(). */
int cli_load_nodes(struct sky_client *c, Sky__NodeInfoReply **reply, struct sky_errbuf *eb);

/* A user name for uid (the number when unknown). Writes into buf; returns buf. */
char *cli_user_name(uint32_t uid, char *buf, size_t len);
/* A group name for gid (the number when unknown). Returns buf. */
char *cli_group_name(uint32_t gid, char *buf, size_t len);

/* Name or number to uid/gid. Returns false when neither. */
bool cli_parse_uid(const char *s, uint32_t *uid);
bool cli_parse_gid(const char *s, uint32_t *gid);

/*
 * Parse a job id token: "N", "N_M" or "N_[...]", "N.S" (a step), and give
 * the job (or array) id N. Commands that act on single array tasks resolve
 * "N_M" to the task with job_sel.h. Returns false when the token is not one
 * of those forms.
 */
bool cli_parse_job_id(const char *s, uint32_t *job_id);

/* argv joined with single spaces (Slurm's SubmitLine). Caller frees. */
char *cli_join_argv(int argc, char **argv);

/* Strictly parse a decimal number into [min, max]; false otherwise. */
bool cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Copy of s in lower case. Caller frees. */
char *cli_lower(const char *s);

/* true when name is in the comma-separated list (NULL list: false). */
bool cli_list_has(const char *list, const char *name);

/* Memory in MiB as scontrol prints it: exact larger units ("1G", "15000M", "0"). */
char *cli_mem_str(uint64_t mb, char *buf, size_t len);

#endif
