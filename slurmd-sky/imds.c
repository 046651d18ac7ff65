/* imds.c: see imds.h. */
#include "config.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imds.h"
#include "log.h"
#include "xalloc.h"

/* EC2's maximum; the token is renewed a minute before it runs out. */
#define TOKEN_TTL_SECS 21600
#define CONNECT_TIMEOUT_MS 1000L
#define TRANSFER_TIMEOUT_MS 2000L
/* How often a transfer in flight is driven: IMDS answers within milliseconds. */
#define DRIVE_MS 20
#define BODY_MAX 65536

enum imds_step { STEP_IDLE, STEP_TOKEN, STEP_ID, STEP_ACTION };

struct imds {
	struct event *ev;           /* drives the transfer in flight, or starts the next poll */
	CURLM *multi;
	CURL *easy;                 /* the transfer in flight, or NULL */
	struct curl_slist *hdrs;
	enum imds_step step;
	char *endpoint;
	double poll_secs;
	struct imds_cbs cbs;
	char *token;
	time_t token_renew;         /* get a new token from then on */
	bool v1_only;               /* the token PUT is refused: IMDSv1, no token */
	char *instance_id;
	bool id_reported;           /* cbs.instance called at least once */
	bool noticed;               /* the last poll found a notice */
	char *body;
	size_t body_len;
	char *last_error;
	char curl_err[CURL_ERROR_SIZE];
};

int imds_parse_action(const char *body, char **action, time_t *when, struct sky_errbuf *eb)
{
	struct json_object *o = json_tokener_parse(body), *v;
	const char *ts;
	struct tm tm;
	char *end;
	int rc = 0;

	*action = NULL;
	*when = 0;
	if (!o || !json_object_is_type(o, json_type_object)) {
		rc = sky_err_set(eb, SKY_E_INVAL, "spot/instance-action is not a JSON object: '%.80s'",
				 body);
		goto out;
	}
	if (!json_object_object_get_ex(o, "action", &v) || !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v)) {
		rc = sky_err_set(eb, SKY_E_INVAL, "spot/instance-action has no \"action\": '%.80s'", body);
		goto out;
	}
	*action = xstrdup(json_object_get_string(v));
	if (!json_object_object_get_ex(o, "time", &v))
		goto out;
	ts = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	memset(&tm, 0, sizeof(tm));
	end = strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z") != 0)) {
		rc = sky_err_set(eb, SKY_E_INVAL, "spot/instance-action: bad \"time\" '%.40s' (want YYYY-MM-DDTHH:MM:SSZ)",
				 ts);
		FREE_NULL(*action);
		goto out;
	}
	*when = timegm(&tm);
out:
	if (o)
		json_object_put(o);
	return rc;
}

/* Log a failure at error level once, then at debug until its kind (key:
 * curl's detail carries timings) changes. */
static void failed_as(struct imds *m, const char *key, const char *what)
{
	if (!m->last_error || strcmp(m->last_error, key) != 0) {
		log_error("instance metadata at %s: %s (spot notices are not seen meanwhile)",
			  m->endpoint, what);
		free(m->last_error);
		m->last_error = xstrdup(key);
	} else {
		log_debug("instance metadata at %s: %s", m->endpoint, what);
	}
}

static void failed(struct imds *m, const char *what)
{
	failed_as(m, what, what);
}

static void succeeded(struct imds *m)
{
	if (m->last_error)
		log_info("instance metadata at %s answers again", m->endpoint);
	FREE_NULL(m->last_error);
}

static void report_id(struct imds *m, const char *id)
{
	bool first = !m->id_reported;

	if (id) {
		if (m->instance_id && !strcmp(m->instance_id, id) && !first)
			return;
		free(m->instance_id);
		m->instance_id = xstrdup(id);
	} else if (!first) {
		return;
	}
	m->id_reported = true;
	if (m->cbs.instance)
		m->cbs.instance(m->cbs.arg, id, first);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct imds *m = arg;
	size_t len = size * n;

	if (m->body_len + len > BODY_MAX)
		return 0;   /* aborts the transfer */
	m->body = xrealloc(m->body, m->body_len + len + 1);
	memcpy(m->body + m->body_len, p, len);
	m->body_len += len;
	m->body[m->body_len] = '\0';
	return len;
}

static void arm(struct imds *m, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(m->ev, &tv);
}

static void start(struct imds *m, enum imds_step step)
{
	static const char *paths[] = {
		[STEP_TOKEN] = "/latest/api/token",
		[STEP_ID] = "/latest/meta-data/instance-id",
		[STEP_ACTION] = "/latest/meta-data/spot/instance-action",
	};
	char *url = xasprintf("%s%s", m->endpoint, paths[step]);
	char *hdr;

	m->step = step;
	FREE_NULL(m->body);
	m->body_len = 0;
	m->curl_err[0] = '\0';
	m->easy = curl_easy_init();
	if (step == STEP_TOKEN) {
		hdr = xasprintf("X-aws-ec2-metadata-token-ttl-seconds: %d", TOKEN_TTL_SECS);
		curl_easy_setopt(m->easy, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(m->easy, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(m->easy, CURLOPT_POSTFIELDSIZE, 0L);
	} else {
		hdr = m->token ? xasprintf("X-aws-ec2-metadata-token: %s", m->token) : NULL;
	}
	if (hdr)
		m->hdrs = curl_slist_append(NULL, hdr);
	free(hdr);
	curl_easy_setopt(m->easy, CURLOPT_URL, url);
	curl_easy_setopt(m->easy, CURLOPT_HTTPHEADER, m->hdrs);
	/* The metadata service is link-local: never through a proxy. */
	curl_easy_setopt(m->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(m->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->easy, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(m->easy, CURLOPT_TIMEOUT_MS, TRANSFER_TIMEOUT_MS);
	curl_easy_setopt(m->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(m->easy, CURLOPT_WRITEDATA, m);
	curl_easy_setopt(m->easy, CURLOPT_ERRORBUFFER, m->curl_err);
	curl_multi_add_handle(m->multi, m->easy);
	free(url);
	arm(m, 0);
}

static void finish_transfer(struct imds *m)
{
	curl_multi_remove_handle(m->multi, m->easy);
	curl_easy_cleanup(m->easy);
	m->easy = NULL;
	curl_slist_free_all(m->hdrs);
	m->hdrs = NULL;
}

static void poll_start(struct imds *m)
{
	if (!m->v1_only && (!m->token || time(NULL) >= m->token_renew))
		start(m, STEP_TOKEN);
	else if (!m->instance_id)
		start(m, STEP_ID);
	else
		start(m, STEP_ACTION);
}

static void round_done(struct imds *m)
{
	m->step = STEP_IDLE;
	arm(m, (long)(m->poll_secs * 1000));
}

static void drop_token(struct imds *m)
{
	FREE_NULL(m->token);
	m->token_renew = 0;
}

static void got_action(struct imds *m, long status)
{
	struct sky_errbuf eb;
	char *action = NULL;
	time_t when = 0;

	if (status == 404) {
		if (m->noticed)
			log_info("spot interruption notice withdrawn");
		m->noticed = false;
		return;
	}
	sky_err_clear(&eb);
	if (imds_parse_action(m->body ? m->body : "", &action, &when, &eb)) {
		failed(m, sky_err_msg(&eb));
		return;
	}
	if (!m->noticed) {
		char at[32] = "an unknown time";
		struct tm tm;
		if (when && gmtime_r(&when, &tm))
			strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		log_info("spot interruption notice: %s at %s (instance %s)", action, at,
			 m->instance_id ? m->instance_id : "?");
	}
	m->noticed = true;
	if (m->cbs.notice)
		m->cbs.notice(m->cbs.arg, action, when);
	free(action);
}

/* This round ends on a failure; the first one still lets the agent
 * register (without an instance id from here). */
static void give_up(struct imds *m, const char *key, const char *what)
{
	failed_as(m, key, what);
	report_id(m, NULL);
	round_done(m);
}

static void give_up_http(struct imds *m, const char *what, long status)
{
	char *msg = xasprintf("%s answered HTTP %ld", what, status);

	give_up(m, msg, msg);
	free(msg);
}

/* One transfer ended: what it means, and what comes next. */
static void step_done(struct imds *m, CURLcode cc, long status)
{
	if (cc != CURLE_OK) {
		give_up(m, curl_easy_strerror(cc), m->curl_err[0] ? m->curl_err : curl_easy_strerror(cc));
		return;
	}
	if (status == 401 && m->step != STEP_TOKEN) {
		drop_token(m);    /* expired: a new one next round */
		round_done(m);
		return;
	}
	switch (m->step) {
	case STEP_TOKEN:
		if (status == 200 && m->body_len) {
			m->token = xstrdup(m->body);
			m->token_renew = time(NULL) + TOKEN_TTL_SECS - 60;
		} else if (status == 403 || status == 404 || status == 405) {
			log_info("instance metadata at %s: no IMDSv2 token (HTTP %ld); using IMDSv1",
				 m->endpoint, status);
			m->v1_only = true;
		} else {
			give_up_http(m, "token request", status);
			return;
		}
		start(m, m->instance_id ? STEP_ACTION : STEP_ID);
		return;
	case STEP_ID:
		if (status != 200 || !m->body_len) {
			give_up_http(m, "instance-id", status);
			return;
		}
		m->body[strcspn(m->body, "\r\n \t")] = '\0';
		report_id(m, m->body);
		start(m, STEP_ACTION);
		return;
	default:
		if (status != 200 && status != 404) {
			give_up_http(m, "spot/instance-action", status);
			return;
		}
		succeeded(m);
		got_action(m, status);
		round_done(m);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct imds *m = arg;
	CURLMsg *msg;
	int running = 0, left;

	(void)fd;
	(void)what;
	if (!m->easy) {
		poll_start(m);
		return;
	}
	curl_multi_perform(m->multi, &running);
	while ((msg = curl_multi_info_read(m->multi, &left))) {
		long status = 0;
		CURLcode cc;

		if (msg->msg != CURLMSG_DONE || msg->easy_handle != m->easy)
			continue;
		cc = msg->data.result;
		curl_easy_getinfo(m->easy, CURLINFO_RESPONSE_CODE, &status);
		finish_transfer(m);
		step_done(m, cc, status);
		return;
	}
	arm(m, DRIVE_MS);
}

struct imds *imds_new(struct event_base *base, const char *endpoint, double poll_secs,
		      const struct imds_cbs *cbs)
{
	struct imds *m = xcalloc(1, sizeof(*m));
	size_t len = strlen(endpoint);

	while (len && endpoint[len - 1] == '/')
		len--;
	m->endpoint = xasprintf("%.*s", (int)len, endpoint);
	m->poll_secs = poll_secs > 0 ? poll_secs : IMDS_DEFAULT_POLL_SECS;
	m->cbs = *cbs;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m->multi = curl_multi_init();
	m->ev = evtimer_new(base, on_timer, m);
	arm(m, 0);
	return m;
}

void imds_free(struct imds *m)
{
	if (!m)
		return;
	if (m->easy)
		finish_transfer(m);
	curl_multi_cleanup(m->multi);
	event_free(m->ev);
	free(m->endpoint);
	free(m->token);
	free(m->instance_id);
	free(m->body);
	free(m->last_error);
	free(m);
}
