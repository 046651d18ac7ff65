/*
 * sacct_step.h: sacct rows of srun steps ("N.0", "N.1", ...), drawn from the
 * steps the controller keeps in each job record (JobRecord.steps).
 */
#ifndef SKY_SACCT_STEP_H
#define SKY_SACCT_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "sacct_fields.h"

/*
 * The value of the field called name (sacct's field name) for the srun step
 * row r (r->srun_step set). Returns false for fields a step shares with the
 * batch step's rendering (left to acct_value()).
 */
bool acct_step_value(const char *name, const struct acct_row *r, char *buf, size_t len);

#endif
