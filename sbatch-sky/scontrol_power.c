/* scontrol_power.c: see scontrol_power.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_util.h"
#include "scontrol_power.h"
#include "xalloc.h"

bool scontrol_is_node_update(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strncasecmp(argv[i], "NodeName=", 9))
			return true;
	return false;
}

/* One REQUEST_UPDATE_NODE; Slurm's "slurm_update error: <text>" on failure. */
static int send_update(const char *nodes, const char *state, const char *reason, bool quiet)
{
	Sky__UpdateNodeRequest req = SKY__UPDATE_NODE_REQUEST__INIT;
	struct sky_client *c = NULL;
	struct sky_errbuf eb;
	int rc;

	sky_err_clear(&eb);
	if (cli_open(&c, &eb)) {
		cli_error_lines(sky_err_msg(&eb));
		return 1;
	}
	req.nodes = (char *)nodes;
	req.state = (char *)state;
	req.reason = (char *)reason;
	rc = sky_client_rpc(c, SKY__MSG_TYPE__REQUEST_UPDATE_NODE, &req.base, NULL, NULL, &eb);
	sky_client_close(c);
	/* The controller's only SKY_E_INVAL here is Slurm's ESLURM_INVALID_NODE_STATE. */
	if (rc && !quiet)
		fprintf(stderr, "slurm_update error: %s\n",
			rc == SKY_E_INVAL ? "Invalid node state specified" :
			rc >= SKY_E__COUNT || rc == SKY_E_CONNECT ? cli_rpc_errtext(&eb) : sky_strerror(rc));
	return rc ? 1 : 0;
}

int scontrol_update_node(int argc, char **argv, bool quiet)
{
	const char *nodes = NULL, *state = NULL, *reason = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strncasecmp(a, "NodeName=", 9))
			nodes = a + 9;
		else if (!strncasecmp(a, "State=", 6))
			state = a + 6;
		else if (!strncasecmp(a, "Reason=", 7))
			reason = a + 7;
		else {
			fprintf(stderr, "Update of this parameter is not supported: %s\n", a);
			fprintf(stderr, "Request aborted\n");
			return 1;
		}
	}
	if (!nodes || !*nodes) {
		fprintf(stderr, "No valid entity in update command\n");
		return 1;
	}
	if (!state) {
		fprintf(stderr, "No changes specified\n");
		return 1;
	}
	return send_update(nodes, state, reason, quiet);
}

/* scontrol power {up|down} [asap|force] NODES [Reason=...] */
int scontrol_power(int argc, char **argv, bool quiet)
{
	const char *dir = argc > 0 ? argv[0] : NULL, *how = NULL, *nodes = NULL, *reason = NULL;
	char state[32];
	int i = 1;

	if (!dir || (strcasecmp(dir, "up") && strcasecmp(dir, "down"))) {
		fprintf(stderr, "Invalid power state: %s. Valid power states are: up, down\n",
			dir ? dir : "");
		return 1;
	}
	if (i < argc && (!strcasecmp(argv[i], "asap") || !strcasecmp(argv[i], "force"))) {
		if (!strcasecmp(dir, "up")) {
			fprintf(stderr, "Invalid power up option: %s\n", argv[i]);
			return 1;
		}
		how = argv[i++];
	}
	for (; i < argc; i++) {
		if (!strncasecmp(argv[i], "Reason=", 7))
			reason = argv[i] + 7;
		else if (!nodes)
			nodes = argv[i];
	}
	if (!nodes) {
		fprintf(stderr, "too few arguments for keyword:power\n");
		return 1;
	}
	snprintf(state, sizeof(state), "POWER_%s%s%s", !strcasecmp(dir, "up") ? "UP" : "DOWN",
		 how ? "_" : "", how ? (!strcasecmp(how, "asap") ? "ASAP" : "FORCE") : "");
	return send_update(nodes, state, reason, quiet);
}
