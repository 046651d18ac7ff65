/*
 * sky_err.h: the one error convention of slurm-sky.
 *
 * A function that can fail returns int: 0 (SKY_OK) or a positive SKY_E_*
 * code. The same codes travel on the wire (RcReply.rc), so a client prints
 * exactly the text Slurm prints for the same condition.
 *
 * Detail goes into a caller-supplied struct sky_errbuf: the first error set
 * wins, so the innermost, most specific message survives the unwinding.
 */
#ifndef SKY_ERR_H
#define SKY_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum sky_err {
	SKY_OK = 0,
	SKY_E_GENERIC = 1,          /* "Unspecified error" */
	SKY_E_NOMEM,
	SKY_E_IO,                   /* read/write/socket failure; detail in errbuf */
	SKY_E_PROTOCOL,             /* malformed or truncated message */
	SKY_E_PROTOCOL_VERSION,
	SKY_E_AUTH,                 /* credential missing, invalid, replayed, expired */
	SKY_E_ACCESS_DENIED,
	SKY_E_INVALID_JOB_ID,
	SKY_E_INVALID_PARTITION,
	SKY_E_NODE_CONFIG,          /* no node could ever satisfy the request */
	SKY_E_TIME_LIMIT,
	SKY_E_ALREADY_DONE,
	SKY_E_SCRIPT_TOO_BIG,
	SKY_E_SCRIPT_INVALID,       /* empty, NUL, CRLF, no #! */
	SKY_E_MAX_JOBS,
	SKY_E_CONFIG,
	SKY_E_STORE,
	SKY_E_INVALID_NODE_NAME,
	SKY_E_NOT_FOUND,
	SKY_E_INVAL,                /* bad argument value; detail names it */
	SKY_E_CONNECT,              /* cannot reach the controller */
	SKY_E_TIMEOUT,
	SKY_E_TOO_MANY_PROCS,       /* "More processors requested than permitted" */
	SKY_E_NODE_COUNT,           /* "Node count specification invalid" */
	SKY_E_JOB_PENDING,          /* operation needs a running job */
	SKY_E_JOB_NOT_PENDING,
	SKY_E_DISABLED,             /* operation not possible in this state */
	SKY_E_INVALID_GRES,
	SKY_E_DEPENDENCY,
	SKY_E_INVALID_ARRAY,
	SKY_E_LAUNCH,               /* the node could not start the job */
	SKY_E_INVALID_USER_ID,      /* acting on another user's job */
	SKY_E_INVALID_FEATURE,      /* -C names a feature no node has */
	/* New codes go here, at the end: the numbers travel on the wire. */
	SKY_E__COUNT
};

/* Slurm's text for code, e.g. "Invalid job id specified". Static; never NULL. */
const char *sky_strerror(int code);

#define SKY_ERRBUF_LEN 512

struct sky_errbuf {
	int code;                   /* 0 until the first error is set */
	char msg[SKY_ERRBUF_LEN];
};

/* Reset to "no error". */
void sky_err_clear(struct sky_errbuf *eb);

/*
 * Record code with a printf-style detail, unless an error is recorded already
 * (first error wins). eb may be NULL. Returns code, so callers can write
 * `return sky_err_set(eb, SKY_E_INVAL, "bad --time '%s'", s);`.
 */
int sky_err_set(struct sky_errbuf *eb, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The detail if one was recorded, else sky_strerror(eb->code). Borrowed. */
const char *sky_err_msg(const struct sky_errbuf *eb);

#endif
