/*
 * scontrol_ext.h: scontrol's job control and configuration commands
 * (issue 3, area D): `update JobId=N Key=Value...`, `show config`, and the
 * `-d` details added to `show job`.
 */
#ifndef SKY_SCONTROL_EXT_H
#define SKY_SCONTROL_EXT_H

#include <stdbool.h>

#include "sky.pb-c.h"

/*
 * scontrol update JobId=N Key=Value... (argv after "update"). Prints
 * "<text> for job N" on failure (unless quiet), as Slurm 22.05's scontrol. Returns
 * the exit status.
 */
int scontrol_update(int argc, char **argv, bool quiet);

/* scontrol show config: "Key = Value" lines, as ATF parses them. Exit status. */
int scontrol_show_config(void);

/*
 * text (a show_job_text() record of j, consumed) with the lines -d adds:
 * DerivedExitCode after the ExitCode line, and JOB_GRES and the per-node
 * allocation after the Socks/Node line. Caller frees the result.
 */
char *scontrol_job_details(char *text, const Sky__JobRecord *j, bool one_liner);

#endif
