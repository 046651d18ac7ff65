/*
 * job_mail.h: sbatch --mail-type/--mail-user notices, sent by running
 * MailProg (slurm.conf; default /usr/bin/mail) as Slurm does:
 *     MailProg -s "Slurm Job_id=12 Name=x Ended, Run time 00:00:05, COMPLETED, ExitCode 0" user
 * with stdin from /dev/null and SLURM_JOB_* variables in its environment.
 * A MailProg that does not exist is logged and skipped. The program runs
 * detached (double fork): the controller neither waits for it nor reaps it.
 *
 * Array tasks without ARRAY_TASKS get one notice for the whole array:
 * BEGIN when the first task starts, END/FAIL when the last one ends
 * ("Slurm Array Summary Job_id=N_* (N) ..."); with ARRAY_TASKS, one per task.
 */
#ifndef SKY_JOB_MAIL_H
#define SKY_JOB_MAIL_H

#include <stdint.h>
#include <time.h>

#include "mail_type.h"

/* For job_mail_event(): END or FAIL, whichever the end state calls for. */
#define MAIL_END_OR_FAIL MAIL_END

struct ctld;
struct job;

/*
 * Event ev (one MAIL_* bit of common/mail_type.h) happened to j. Sends
 * when the job asked for it. For MAIL_END, pass it whatever the end state:
 * FAIL/END is chosen from the state as Slurm does. Memory only (the
 * one-time bits go in rec->mail_sent; the caller's next save keeps them).
 */
void job_mail_event(struct ctld *c, struct job *j, uint32_t ev);

/* Once a second: TIME_LIMIT_50/80/90 and TIME_LIMIT of running jobs. */
void job_mail_tick(struct ctld *c, time_t now);

#endif
