/*
 * id_names.h: user and group names of uids and gids, cached.
 *
 * Every submission records its user's and group's names. Asking NSS each time
 * opens and reads /etc/passwd and /etc/group (or asks sssd/LDAP), a dozen
 * system calls per submission for answers that rarely change; like Slurm's
 * own uid cache, answers are kept for a minute (renames show up after that).
 * Single-threaded: the controller's loop only.
 */
#ifndef SKY_ID_NAMES_H
#define SKY_ID_NAMES_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* The name of uid and its primary gid (if primary_gid is not NULL), or NULL
 * when NSS does not know the uid. Caller frees. */
char *id_user_name(uid_t uid, gid_t *primary_gid, time_t now);
/* The name of gid, or its number as a string. Caller frees. */
char *id_group_name(gid_t gid, time_t now);
/* Forget everything (tests, reconfiguration). */
void id_names_flush(void);

#endif
