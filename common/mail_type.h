/*
 * mail_type.h: sbatch --mail-type values (slurm.md 1.3), shared by sbatch
 * (which checks and stores the canonical text in JobDesc.mail_type) and the
 * controller (which decides on that text which events send mail).
 */
#ifndef SKY_MAIL_TYPE_H
#define SKY_MAIL_TYPE_H

#include <stdbool.h>
#include <stdint.h>

#define MAIL_BEGIN          0x0001u
#define MAIL_END            0x0002u
#define MAIL_FAIL           0x0004u
#define MAIL_REQUEUE        0x0008u
#define MAIL_TIME100        0x0010u   /* TIME_LIMIT */
#define MAIL_TIME90         0x0020u
#define MAIL_TIME80         0x0040u
#define MAIL_TIME50         0x0080u
#define MAIL_STAGE_OUT      0x0100u
#define MAIL_ARRAY_TASKS    0x0200u
#define MAIL_INVALID_DEPEND 0x0400u
/* ALL, as Slurm defines it: not the time limits, not ARRAY_TASKS. */
#define MAIL_ALL (MAIL_BEGIN | MAIL_END | MAIL_FAIL | MAIL_REQUEUE | MAIL_STAGE_OUT | \
		  MAIL_INVALID_DEPEND)

/*
 * Parse a comma list of Slurm's names (any case): NONE, BEGIN, END, FAIL,
 * REQUEUE, ALL, INVALID_DEPEND, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90,
 * TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS. NONE clears what came before.
 * NULL or "" gives 0. Returns false on an unknown name (*out untouched).
 */
bool mail_type_parse(const char *s, uint32_t *out);

/*
 * The bits as Slurm prints them (scontrol MailType=): its fixed order,
 * comma-separated; "NONE" for 0. Caller frees.
 */
char *mail_type_str(uint32_t bits);

#endif
