/*
 * aws_creds.h: where the EC2 client's credentials, region and endpoint
 * come from, in the order AWS's own tools use, so an admin who already runs
 * the AWS CLI on the controller host needs to configure nothing new:
 *
 *   credentials: the explicit values of the provider's configuration, else
 *     AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), else
 *     the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
 *     ~/.aws/credentials), section of the profile (configured, else
 *     AWS_PROFILE, else "default");
 *   region: configured, else AWS_REGION, else AWS_DEFAULT_REGION, else the
 *     profile's "region" in the config file (AWS_CONFIG_FILE or
 *     ~/.aws/config, sections "[default]" and "[profile NAME]");
 *   endpoint: configured, else AWS_ENDPOINT_URL_EC2, else AWS_ENDPOINT_URL,
 *     else https://ec2.REGION.amazonaws.com.
 *
 * Resolution reads the environment (getenv) and files: call it at start-up
 * or reconfigure, not concurrently with setenv(). The result is plain data,
 * safe to hand to another thread. Secrets are never logged; aws_creds_free
 * wipes them.
 */
#ifndef SKY_AWS_CREDS_H
#define SKY_AWS_CREDS_H

#include "sky_err.h"

/* What the configuration says; any field may be NULL (then the chain). */
struct aws_creds_opts {
	const char *access_key;
	const char *secret_key;
	const char *session_token;
	const char *profile;
	const char *region;
	const char *endpoint;
};

struct aws_creds {
	char *access_key;
	char *secret_key;
	char *session_token;  /* NULL unless temporary (STS) credentials */
	char *region;         /* NULL if no link of the chain named one */
	char *endpoint;       /* NULL: the standard one for the region */
	char *profile;        /* the profile the files were read for */
	char *source;         /* where the keys came from, for logs: "config",
				 "environment", "/root/.aws/credentials [prod]" */
};

/*
 * Resolve the chain (o may be NULL). On success *out is caller-freed with
 * aws_creds_free. Errors (SKY_E_CONFIG) name the missing variable or the
 * file:line at fault.
 */
int aws_creds_resolve(const struct aws_creds_opts *o, struct aws_creds **out,
		      struct sky_errbuf *eb);

/* A deep copy (caller frees with aws_creds_free). */
struct aws_creds *aws_creds_dup(const struct aws_creds *c);

/* The endpoint URL to use for region: c->endpoint if set, else the
 * standard https://ec2.REGION.amazonaws.com. Caller frees. */
char *aws_creds_endpoint(const struct aws_creds *c, const char *region);

/* Wipe the secrets and free; NULL is fine. */
void aws_creds_free(struct aws_creds *c);

#endif
