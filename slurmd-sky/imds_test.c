/*
 * imds_test.c: the instance metadata poller (imds.h): the notice's JSON, and
 * the poller against a small IMDSv2 server forked here (token required, the
 * notice appearing after a few polls), and against nothing at all.
 */
#include "config.h"

#include <event2/event.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imds.h"
#include "unit.h"
#include "xalloc.h"

START_TEST(test_parse_action)
{
	struct sky_errbuf eb;
	char *action = NULL;
	time_t when = 1;

	sky_err_clear(&eb);
	ck_assert_int_eq(imds_parse_action("{\"action\": \"terminate\", \"time\": \"2026-11-22T17:00:00Z\"}",
					   &action, &when, &eb), 0);
	ck_assert_str_eq(action, "terminate");
	ck_assert_int_eq((long)when, 1795366800L);
	free(action);

	ck_assert_int_eq(imds_parse_action("{\"action\":\"stop\"}", &action, &when, &eb), 0);
	ck_assert_str_eq(action, "stop");
	ck_assert_int_eq((long)when, 0);
	free(action);

	ck_assert_int_eq(imds_parse_action("<html>404</html>", &action, &when, &eb), SKY_E_INVAL);
	ck_assert_ptr_null(action);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "not a JSON object"));
	sky_err_clear(&eb);
	ck_assert_int_eq(imds_parse_action("{\"time\": \"2026-11-22T17:00:00Z\"}", &action, &when, &eb),
			 SKY_E_INVAL);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "no \"action\""));
	sky_err_clear(&eb);
	ck_assert_int_eq(imds_parse_action("{\"action\": \"terminate\", \"time\": \"in two minutes\"}",
					   &action, &when, &eb), SKY_E_INVAL);
	ck_assert_ptr_null(action);
	ck_assert_ptr_nonnull(strstr(sky_err_msg(&eb), "bad \"time\" 'in two minutes'"));
}
END_TEST

/* ---- a tiny IMDSv2 ---- */

#define TOKEN "tok-123"
#define NOTICE_AFTER_POLLS 2

static void reply(int fd, int status, const char *body)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 status, strlen(body), body);
	ck_assert_int_eq(write(fd, buf, (size_t)n), n);
}

/* One request per connection (the poller's are short-lived). */
static void serve(int lfd)
{
	int polls = 0;

	for (;;) {
		char req[4096];
		size_t have = 0;
		ssize_t r;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(1);
		while (have < sizeof(req) - 1 && (r = read(fd, req + have, sizeof(req) - 1 - have)) > 0) {
			have += (size_t)r;
			req[have] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[have] = '\0';
		if (!strncmp(req, "PUT /latest/api/token ", 22))
			reply(fd, strstr(req, "X-aws-ec2-metadata-token-ttl-seconds: 21600") ? 200 : 400,
			      TOKEN);
		else if (!strstr(req, "X-aws-ec2-metadata-token: " TOKEN "\r\n"))
			reply(fd, 401, "");
		else if (!strncmp(req, "GET /latest/meta-data/instance-id ", 34))
			reply(fd, 200, "i-0abc\n");
		else if (!strncmp(req, "GET /latest/meta-data/spot/instance-action ", 43) &&
			 ++polls > NOTICE_AFTER_POLLS)
			reply(fd, 200, "{\"action\": \"terminate\", \"time\": \"2026-11-22T17:00:00Z\"}");
		else
			reply(fd, 404, "");
		close(fd);
	}
}

struct seen {
	struct event_base *base;
	char *id;
	int n_instance, n_first, n_notice;
	char *action;
	time_t when;
};

static void on_instance(void *arg, const char *id, bool first)
{
	struct seen *s = arg;

	s->n_instance++;
	s->n_first += first;
	free(s->id);
	s->id = id ? xstrdup(id) : NULL;
	if (!id)
		event_base_loopbreak(s->base);
}

static void on_notice(void *arg, const char *action, time_t when)
{
	struct seen *s = arg;

	s->n_notice++;
	free(s->action);
	s->action = xstrdup(action);
	s->when = when;
	event_base_loopbreak(s->base);
}

static int listen_any(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void run_for(struct event_base *base, int secs)
{
	struct timeval tv = { secs, 0 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

START_TEST(test_poller_sees_notice)
{
	struct seen s = { 0 };
	struct imds_cbs cbs = { .instance = on_instance, .notice = on_notice, .arg = &s };
	int port, lfd = listen_any(&port);
	pid_t pid = fork();
	char *url;
	struct imds *m;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		serve(lfd);
	close(lfd);
	s.base = event_base_new();
	url = xasprintf("http://127.0.0.1:%d/", port);
	m = imds_new(s.base, url, 0.1, &cbs);
	run_for(s.base, 10);     /* until the notice (loopbreak) */
	ck_assert_int_eq(s.n_instance, 1);
	ck_assert_int_eq(s.n_first, 1);
	ck_assert_str_eq(s.id, "i-0abc");
	ck_assert_int_eq(s.n_notice, 1);
	ck_assert_str_eq(s.action, "terminate");
	ck_assert_int_eq((long)s.when, 1795366800L);
	/* Reported again at every poll while it lasts; the id is not asked again. */
	run_for(s.base, 10);
	ck_assert_int_eq(s.n_notice, 2);
	ck_assert_int_eq(s.n_instance, 1);
	imds_free(m);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	event_base_free(s.base);
	free(url);
	free(s.id);
	free(s.action);
}
END_TEST

START_TEST(test_poller_unreachable)
{
	struct seen s = { 0 };
	struct imds_cbs cbs = { .instance = on_instance, .notice = on_notice, .arg = &s };
	int port, lfd = listen_any(&port);
	char *url;
	struct imds *m;

	close(lfd);     /* nothing listens there any more: connection refused */
	s.base = event_base_new();
	url = xasprintf("http://127.0.0.1:%d", port);
	m = imds_new(s.base, url, 0.1, &cbs);
	run_for(s.base, 10);     /* until instance(NULL) */
	ck_assert_int_eq(s.n_instance, 1);
	ck_assert_int_eq(s.n_first, 1);
	ck_assert_ptr_null(s.id);
	/* Keeps trying, quietly, and never calls back again for nothing. */
	run_for(s.base, 1);
	ck_assert_int_eq(s.n_instance, 1);
	ck_assert_int_eq(s.n_notice, 0);
	imds_free(m);
	event_base_free(s.base);
	free(url);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("imds");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_parse_action);
	tcase_add_test(tc, test_poller_sees_notice);
	tcase_add_test(tc, test_poller_unreachable);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
