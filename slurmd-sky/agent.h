/*
 * agent.h: the state of one slurmd-sky process, passed explicitly to every
 * part of the agent (no file-scope globals outside main.c).
 */
#ifndef SKY_SLURMD_AGENT_H
#define SKY_SLURMD_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "auth_munge.h"
#include "conf.h"
#include "hw_detect.h"

struct event_base;
struct jobs;
struct ctld_link;
struct imds;

#define AGENT_MAX_OPERATORS 3

struct agent {
	struct sky_conf *conf;      /* owned */
	char *node_name;            /* owned */
	char *spool_dir;            /* owned, absolute */
	char *log_file;             /* owned; NULL: stderr */
	int log_level;              /* enum log_level */
	struct auth_ctx *auth;      /* owned */
	struct event_base *base;    /* owned */
	struct hw_info hw;
	time_t start_time;
	uint32_t kill_wait;         /* KillWait: the controller's once registered, else the config's */
	char *cluster;              /* owned: the controller's once registered, else the config's */
	uid_t operators[AGENT_MAX_OPERATORS]; /* uids whose CTLD_* messages are obeyed */
	size_t n_operators;
	struct jobs *jobs;          /* owned */
	struct ctld_link *link;     /* owned */
	char *instance_id;          /* owned: the cloud instance (imds.h), or NULL */
	struct imds *imds;          /* owned; NULL without SKY_IMDS_ENDPOINT */
	int exit_code;              /* main's; 1 once refused as a stale instance */
};

#endif
