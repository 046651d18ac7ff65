/*
 * aws_ec2.h: a small synchronous client for EC2's Query API (libcurl,
 * SigV4 from aws_sigv4.c, libxml2 for the replies), for the AWS provider.
 *
 * One client per region. A client owns one CURL easy handle (so connections
 * are reused) and is thread-compatible: one thread at a time may use it;
 * different clients may be used by different threads at once (no globals
 * besides libcurl's, initialised once through pthread_once). Every call
 * blocks until EC2 answered or the retries ran out, so the provider calls
 * it from a worker thread, never from the controller's event loop.
 *
 * Retries (exponential backoff with full jitter, base/cap configurable):
 * throttling (RequestLimitExceeded, Throttling, ThrottlingException),
 * server errors (InternalError, Unavailable, ServiceUnavailable, any 5xx
 * with an unknown code), connection failures and timeouts. Never capacity,
 * quota, auth or parameter errors: those go straight back so the caller
 * can move to the next zone or offering. RunInstances always carries a
 * ClientToken (one is made up when the caller gives none) and every retry
 * reuses it, so a launch whose reply was lost never starts twice.
 *
 * After each call aws_ec2_last_error() and aws_ec2_last_stats() describe
 * what happened (borrowed; valid until the next call on the client).
 */
#ifndef SKY_AWS_EC2_H
#define SKY_AWS_EC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws_creds.h"
#include "sky_err.h"

/* How the caller should treat an error (the optimizer blocks by class). */
enum aws_err_class {
	AWS_ERR_NONE = 0,
	AWS_ERR_CAPACITY,  /* InsufficientInstanceCapacity, Unfulfillable..., spot price/count */
	AWS_ERR_QUOTA,     /* InstanceLimitExceeded, VcpuLimitExceeded */
	AWS_ERR_THROTTLE,  /* RequestLimitExceeded, Throttling */
	AWS_ERR_SERVER,    /* 5xx, InternalError, Unavailable */
	AWS_ERR_AUTH,      /* AuthFailure, UnauthorizedOperation, bad signature */
	AWS_ERR_PARAM,     /* InvalidParameter*, Invalid*.NotFound, MissingParameter */
	AWS_ERR_NETWORK,   /* no HTTP answer: connect failure, timeout */
	AWS_ERR_PROTOCOL,  /* an answer we cannot parse */
	AWS_ERR_OTHER,
};

struct aws_error {
	int http_status;        /* 0 when no HTTP answer came */
	char code[128];         /* "InsufficientInstanceCapacity"; "" if none */
	char message[512];
	char request_id[96];
	bool retryable;
	enum aws_err_class klass;
};

struct aws_call_stats {
	int attempts;           /* HTTP requests made by the last call (all pages) */
	int pages;              /* DescribeInstances pages fetched */
	long elapsed_ms;
};

struct aws_ec2_opts {
	const char *region;          /* NULL: creds->region (error if neither) */
	long connect_timeout_ms;     /* 0: 5000 */
	long timeout_ms;             /* whole request; 0: 30000 */
	int max_attempts;            /* 0: 5 */
	long backoff_base_ms;        /* 0: 100 */
	long backoff_cap_ms;         /* 0: 20000 */
};

struct aws_ec2;

/* Create a client; copies creds and opts. Caller frees with aws_ec2_destroy.
 * SKY_E_CONFIG when no region is known. */
int aws_ec2_create(const struct aws_creds *creds, const struct aws_ec2_opts *opts,
		   struct aws_ec2 **out, struct sky_errbuf *eb);
void aws_ec2_destroy(struct aws_ec2 *c);

/* Borrowed; describe the last call on c (valid until the next call). */
const struct aws_error *aws_ec2_last_error(const struct aws_ec2 *c);
const struct aws_call_stats *aws_ec2_last_stats(const struct aws_ec2 *c);
const char *aws_ec2_region(const struct aws_ec2 *c);

/* One line for a node's Reason: "(Code:X) message", or the transport
 * failure ("connection to URL failed: ..."). Caller frees. */
char *aws_error_reason(const struct aws_error *e);

/* A fresh random ClientToken (32 hex digits). Caller frees. */
char *aws_client_token_new(void);

struct aws_tag {
	char *key;
	char *value;
};

struct aws_instance {
	char *id;
	char *type;
	char *image_id;
	char *state;             /* "pending", "running", "terminated", ... */
	int state_code;          /* 0, 16, 32, 48, 64, 80 */
	char *prev_state;        /* TerminateInstances only */
	char *zone;
	char *private_ip;
	char *private_dns;
	char *launch_time;       /* as EC2 gives it: 2026-11-22T12:30:42.000Z */
	bool spot;               /* instanceLifecycle "spot" */
	char *reason_code;       /* stateReason */
	char *reason_message;
	char *client_token;
	struct aws_tag *tags;
	size_t n_tags;
};

struct aws_instance_list {
	struct aws_instance *v;
	size_t n;
};

/* Frees what the list holds (not l itself); NULL and empty lists are fine. */
void aws_instance_list_free(struct aws_instance_list *l);

struct aws_run_spec {
	const char *instance_type;           /* required */
	const char *image_id;                /* required */
	int count;                           /* MinCount = MaxCount; 0 means 1 */
	const char *zone;                    /* Placement.AvailabilityZone */
	const char *subnet_id;
	const char *const *security_groups;  /* SecurityGroupId.N */
	size_t n_security_groups;
	const char *iam_profile_name;        /* IamInstanceProfile.Name */
	const char *iam_profile_arn;         /* IamInstanceProfile.Arn */
	const uint8_t *user_data;            /* raw bytes; base64-encoded here */
	size_t user_data_len;
	const struct aws_tag *tags;          /* TagSpecification.1 (instance) */
	size_t n_tags;
	bool spot;                           /* one-time, terminate on interruption */
	const char *spot_max_price;          /* NULL: on-demand price cap (AWS advice) */
	const char *client_token;            /* NULL: made up; see aws_ec2_last_token */
};

/* RunInstances; *out gets the launched instances (caller frees its contents). */
int aws_ec2_run_instances(struct aws_ec2 *c, const struct aws_run_spec *spec,
			  struct aws_instance_list *out, struct sky_errbuf *eb);

/* The ClientToken the last RunInstances used (borrowed). */
const char *aws_ec2_last_token(const struct aws_ec2 *c);

struct aws_filter {
	const char *name;                    /* "tag:Cluster", "instance-state-name" */
	const char *const *values;
	size_t n_values;
};

struct aws_describe_query {
	const char *const *ids;              /* InstanceId.N; may be empty */
	size_t n_ids;
	const struct aws_filter *filters;
	size_t n_filters;
	int page_size;                       /* MaxResults (5..1000; not with ids); 0: none */
};

/* DescribeInstances, following NextToken to the end. */
int aws_ec2_describe_instances(struct aws_ec2 *c, const struct aws_describe_query *q,
			       struct aws_instance_list *out, struct sky_errbuf *eb);

/* TerminateInstances; *out (may be NULL) gets id, prev_state, state. */
int aws_ec2_terminate_instances(struct aws_ec2 *c, const char *const *ids, size_t n_ids,
				struct aws_instance_list *out, struct sky_errbuf *eb);

struct aws_spot_price {
	char *instance_type;
	char *zone;
	char *product;
	char *price;             /* as EC2 gives it, "0.912300" */
	double price_per_hour;
	char *timestamp;
};

struct aws_spot_price_list {
	struct aws_spot_price *v;
	size_t n;
};

void aws_spot_price_list_free(struct aws_spot_price_list *l);

struct aws_spot_query {
	const char *const *instance_types;   /* InstanceType.N */
	size_t n_instance_types;
	const char *zone;                    /* AvailabilityZone; NULL: all */
	const char *product;                 /* ProductDescription.1, e.g. "Linux/UNIX" */
};

/* DescribeSpotPriceHistory: the latest price per (type, zone), sorted by
 * type then zone. */
int aws_ec2_spot_prices(struct aws_ec2 *c, const struct aws_spot_query *q,
			struct aws_spot_price_list *out, struct sky_errbuf *eb);

/* An instance's user-data, decoded (DescribeInstanceAttribute userData).
 * *data is caller-freed (NUL-terminated beyond *len for convenience);
 * an instance without user-data gives *len 0. */
int aws_ec2_user_data(struct aws_ec2 *c, const char *instance_id, uint8_t **data, size_t *len,
		      struct sky_errbuf *eb);

#endif
