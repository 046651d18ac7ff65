/*
 * scontrol_power.h: scontrol's node commands (issue 5, power saving):
 * `update NodeName=X State=power_down|power_down_asap|power_down_force|
 * power_up|resume [Reason=...]` and `power up|down [asap|force] NODES`,
 * both as REQUEST_UPDATE_NODE (operators only). Errors are printed as
 * Slurm's scontrol does ("slurm_update error: <text>").
 */
#ifndef SKY_SCONTROL_POWER_H
#define SKY_SCONTROL_POWER_H

#include <stdbool.h>

/* Whether an update's arguments (after "update") name nodes. */
bool scontrol_is_node_update(int argc, char **argv);
/* update NodeName=... (argv after "update"). Exit status. */
int scontrol_update_node(int argc, char **argv, bool quiet);
/* power ... (argv after "power"). Exit status. */
int scontrol_power(int argc, char **argv, bool quiet);

#endif
