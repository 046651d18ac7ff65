/* sky_err.c: error codes and their Slurm wording (see sky_err.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sky_err.h"

/* Texts follow slurm_strerror() where Slurm has a code for the condition. */
static const char *const err_text[SKY_E__COUNT] = {
	[SKY_OK] = "No error",
	[SKY_E_GENERIC] = "Unspecified error",
	[SKY_E_NOMEM] = "Out of memory",
	[SKY_E_IO] = "I/O error",
	[SKY_E_PROTOCOL] = "Protocol data is malformed or truncated",
	[SKY_E_PROTOCOL_VERSION] = "Protocol version has changed, re-link your code",
	[SKY_E_AUTH] = "Protocol authentication error",
	[SKY_E_ACCESS_DENIED] = "Access/permission denied",
	[SKY_E_INVALID_JOB_ID] = "Invalid job id specified",
	[SKY_E_INVALID_PARTITION] = "Invalid partition name specified",
	[SKY_E_NODE_CONFIG] = "Requested node configuration is not available",
	[SKY_E_TIME_LIMIT] = "Requested time limit is invalid (missing or exceeds some limit)",
	[SKY_E_ALREADY_DONE] = "Job/step already completing or completed",
	[SKY_E_SCRIPT_TOO_BIG] = "Batch script is larger than the controller allows",
	[SKY_E_SCRIPT_INVALID] = "Invalid batch script",
	[SKY_E_MAX_JOBS] = "MaxJobCount limit reached",
	[SKY_E_CONFIG] = "Invalid configuration",
	[SKY_E_STORE] = "Unable to save state",
	[SKY_E_INVALID_NODE_NAME] = "Invalid node name specified",
	[SKY_E_NOT_FOUND] = "Not found",
	[SKY_E_INVAL] = "Invalid argument",
	[SKY_E_CONNECT] = "Unable to contact slurm controller (connect failure)",
	[SKY_E_TIMEOUT] = "Socket timed out on send/recv operation",
	[SKY_E_TOO_MANY_PROCS] = "More processors requested than permitted",
	[SKY_E_NODE_COUNT] = "Node count specification invalid",
	[SKY_E_JOB_PENDING] = "Job is pending execution",
	[SKY_E_JOB_NOT_PENDING] = "Job is no longer pending execution",
	[SKY_E_DISABLED] = "Requested operation is presently disabled",
	[SKY_E_INVALID_GRES] = "Invalid generic resource (gres) specification",
	[SKY_E_DEPENDENCY] = "Job dependency problem",
	[SKY_E_INVALID_ARRAY] = "Invalid job array specification",
	[SKY_E_LAUNCH] = "Job launch failure",
	[SKY_E_INVALID_USER_ID] = "Invalid user id",
	[SKY_E_INVALID_FEATURE] = "Invalid feature specification",
};

const char *sky_strerror(int code)
{
	if (code < 0 || code >= SKY_E__COUNT || !err_text[code])
		return "Unknown error";
	return err_text[code];
}

void sky_err_clear(struct sky_errbuf *eb)
{
	if (!eb)
		return;
	eb->code = 0;
	eb->msg[0] = '\0';
}

int sky_err_set(struct sky_errbuf *eb, int code, const char *fmt, ...)
{
	va_list ap;

	if (!eb || eb->code)
		return code;
	eb->code = code;
	if (!fmt) {
		eb->msg[0] = '\0';
		return code;
	}
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *sky_err_msg(const struct sky_errbuf *eb)
{
	if (!eb)
		return "";
	if (eb->msg[0])
		return eb->msg;
	return sky_strerror(eb->code);
}
