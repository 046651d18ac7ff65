/* wire_test.c: frames and envelopes (common/wire.h), without munge (auth = NULL). */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "wire.h"
#include "unit.h"

/* Frame an RcReply; *frame is caller-freed. */
static void encode_rc(uint32_t rc, const char *msg, uint8_t **frame, size_t *len)
{
	struct sky_errbuf eb = { 0 };
	Sky__RcReply r = SKY__RC_REPLY__INIT;

	r.rc = rc;
	r.message = (char *)msg;
	ck_assert_ok(wire_encode(NULL, SKY__MSG_TYPE__RESPONSE_RC, &r.base, frame, len, &eb), &eb);
}

/* An envelope payload (no length prefix) with the given version. */
static uint8_t *envelope(uint32_t version, uint32_t type, const uint8_t *body, size_t blen,
			 size_t *len)
{
	Sky__Envelope env = SKY__ENVELOPE__INIT;
	uint8_t *p;

	env.version = version;
	env.type = type;
	if (body) {
		env.has_body = true;
		env.body.data = (uint8_t *)body;
		env.body.len = blen;
	}
	*len = sky__envelope__get_packed_size(&env);
	p = xmalloc(*len ? *len : 1);
	sky__envelope__pack(&env, p);
	return p;
}

START_TEST(test_round_trip)
{
	struct sky_errbuf eb = { 0 };
	uint8_t *f = NULL;
	size_t flen = 0;
	struct wire_msg m;
	ProtobufCMessage *out = NULL;
	Sky__RcReply *r;

	encode_rc(SKY_E_INVALID_JOB_ID, "job 7 not found", &f, &flen);
	ck_assert_uint_gt(flen, 4);
	ck_assert_uint_eq(wire_get_len(f), flen - 4);
	ck_assert_ok(wire_decode(NULL, f + 4, flen - 4, &m, &eb), &eb);
	ck_assert_uint_eq(m.type, SKY__MSG_TYPE__RESPONSE_RC);
	ck_assert(!m.authed);
	ck_assert_ptr_nonnull(m.env);
	ck_assert_uint_eq(m.env->version, SKY_PROTOCOL_VERSION);
	ck_assert_ok(wire_unpack(&m, &sky__rc_reply__descriptor, &out, &eb), &eb);
	r = (Sky__RcReply *)out;
	ck_assert_uint_eq(r->rc, SKY_E_INVALID_JOB_ID);
	ck_assert_str_eq(r->message, "job 7 not found");
	protobuf_c_message_free_unpacked(out, NULL);
	wire_msg_clear(&m);
	ck_assert_ptr_null(m.env);
	free(f);
}
END_TEST

START_TEST(test_empty_body)
{
	struct sky_errbuf eb = { 0 };
	uint8_t *f = NULL;
	size_t flen = 0;
	struct wire_msg m;

	ck_assert_ok(wire_encode(NULL, SKY__MSG_TYPE__REQUEST_PING, NULL, &f, &flen, &eb), &eb);
	ck_assert_ok(wire_decode(NULL, f + 4, flen - 4, &m, &eb), &eb);
	ck_assert_uint_eq(m.type, SKY__MSG_TYPE__REQUEST_PING);
	ck_assert_ptr_null(m.body);
	ck_assert_uint_eq(m.body_len, 0);
	wire_msg_clear(&m);
	free(f);
}
END_TEST

START_TEST(test_truncated_payloads)
{
	struct sky_errbuf eb;
	uint8_t *f = NULL;
	size_t flen = 0, plen, body_start;
	struct wire_msg m;
	Sky__RcReply r = SKY__RC_REPLY__INIT;

	encode_rc(3, "a message long enough to have a body worth cutting", &f, &flen);
	plen = flen - 4;
	r.rc = 3;
	r.message = "a message long enough to have a body worth cutting";
	/* body is the last field: its bytes are the tail of the payload. */
	body_start = plen - sky__rc_reply__get_packed_size(&r);
	for (size_t cut = 0; cut < plen; cut++) {
		int rc;
		sky_err_clear(&eb);
		rc = wire_decode(NULL, f + 4, cut, &m, &eb);
		/* A prefix may still be a whole (shorter) envelope; never a crash. */
		ck_assert_msg(rc == 0 || rc == SKY_E_PROTOCOL, "cut %zu gave %d", cut, rc);
		if (cut == 0 || cut >= body_start)
			ck_assert_msg(rc == SKY_E_PROTOCOL, "cut at %zu of %zu accepted", cut, plen);
		if (rc == 0)
			wire_msg_clear(&m);
		else
			ck_assert_ptr_null(m.env);
	}
	free(f);
}
END_TEST

START_TEST(test_garbage)
{
	static const uint8_t junk1[] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t junk2[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sky_errbuf eb = { 0 };
	struct wire_msg m;
	unsigned seed = 12345;
	uint8_t buf[64];

	ck_assert_int_eq(wire_decode(NULL, junk1, sizeof(junk1), &m, &eb), SKY_E_PROTOCOL);
	sky_err_clear(&eb);
	ck_assert_int_eq(wire_decode(NULL, junk2, sizeof(junk2) - 1, &m, &eb), SKY_E_PROTOCOL);
	/* Random bytes: an error or (rarely) a parse, never a crash. */
	for (int i = 0; i < 5000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(buf));
		int rc;
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		rc = wire_decode(NULL, buf, len, &m, NULL);
		ck_assert(rc == 0 || rc == SKY_E_PROTOCOL || rc == SKY_E_PROTOCOL_VERSION);
		if (rc == 0) {
			ProtobufCMessage *out = NULL;
			rc = wire_unpack(&m, &sky__job_record__descriptor, &out, NULL);
			ck_assert(rc == 0 || rc == SKY_E_PROTOCOL);
			if (out)
				protobuf_c_message_free_unpacked(out, NULL);
			wire_msg_clear(&m);
		}
	}
}
END_TEST

START_TEST(test_body_of_wrong_shape)
{
	static const uint8_t bad_body[] = { 0xff, 0x01 };
	struct sky_errbuf eb = { 0 };
	size_t len = 0;
	uint8_t *p = envelope(SKY_PROTOCOL_VERSION, SKY__MSG_TYPE__RESPONSE_RC, bad_body,
			      sizeof(bad_body), &len);
	struct wire_msg m;
	ProtobufCMessage *out = NULL;

	ck_assert_ok(wire_decode(NULL, p, len, &m, &eb), &eb);
	ck_assert_int_eq(wire_unpack(&m, &sky__rc_reply__descriptor, &out, &eb), SKY_E_PROTOCOL);
	ck_assert_ptr_null(out);
	wire_msg_clear(&m);
	free(p);

	/* An empty body lacks RcReply's required rc. */
	p = envelope(SKY_PROTOCOL_VERSION, SKY__MSG_TYPE__RESPONSE_RC, NULL, 0, &len);
	ck_assert_ok(wire_decode(NULL, p, len, &m, &eb), &eb);
	ck_assert_int_eq(wire_unpack(&m, &sky__rc_reply__descriptor, &out, NULL), SKY_E_PROTOCOL);
	wire_msg_clear(&m);
	free(p);
}
END_TEST

START_TEST(test_versions)
{
	struct sky_errbuf eb = { 0 };
	struct wire_msg m;
	size_t len;
	uint8_t *p;

	p = envelope(0x00020000u, SKY__MSG_TYPE__REQUEST_PING, NULL, 0, &len);
	ck_assert_int_eq(wire_decode(NULL, p, len, &m, &eb), SKY_E_PROTOCOL_VERSION);
	ck_assert_ptr_null(m.env);
	free(p);
	sky_err_clear(&eb);
	p = envelope(0x00000005u, SKY__MSG_TYPE__REQUEST_PING, NULL, 0, &len);
	ck_assert_int_eq(wire_decode(NULL, p, len, &m, &eb), SKY_E_PROTOCOL_VERSION);
	free(p);
	/* Another minor version of the same major is understood. */
	p = envelope(SKY_PROTOCOL_VERSION + 7, SKY__MSG_TYPE__REQUEST_PING, NULL, 0, &len);
	ck_assert_ok(wire_decode(NULL, p, len, &m, &eb), &eb);
	wire_msg_clear(&m);
	free(p);
}
END_TEST

static int sv[2] = { -1, -1 };

static void pair_setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void pair_teardown(void)
{
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	sv[0] = sv[1] = -1;
}

static void write_bytes(int fd, const void *p, size_t n)
{
	ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
}

START_TEST(test_socket_round_trip)
{
	struct sky_errbuf eb = { 0 };
	Sky__RcReply r = SKY__RC_REPLY__INIT;
	struct wire_msg m;
	ProtobufCMessage *out = NULL;

	r.rc = 0;
	r.message = "over a socket";
	ck_assert_ok(wire_send(sv[0], NULL, SKY__MSG_TYPE__RESPONSE_RC, &r.base, 1000, &eb), &eb);
	ck_assert_ok(wire_recv(sv[1], NULL, WIRE_FRAME_MAX_DEFAULT, 1000, &m, &eb), &eb);
	ck_assert_uint_eq(m.type, SKY__MSG_TYPE__RESPONSE_RC);
	ck_assert_ok(wire_unpack(&m, &sky__rc_reply__descriptor, &out, &eb), &eb);
	ck_assert_str_eq(((Sky__RcReply *)out)->message, "over a socket");
	protobuf_c_message_free_unpacked(out, NULL);
	wire_msg_clear(&m);
}
END_TEST

START_TEST(test_frame_above_max)
{
	struct sky_errbuf eb = { 0 };
	static const uint8_t hdr[4] = { 0x00, 0x00, 0x01, 0x01 };   /* 257 bytes */
	uint8_t *p = NULL;
	size_t len = 0;

	write_bytes(sv[0], hdr, sizeof(hdr));
	ck_assert_int_eq(wire_read_frame(sv[1], 256, 1000, &p, &len, &eb), SKY_E_PROTOCOL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(eb.msg, "257") != NULL, "message '%s'", eb.msg);
}
END_TEST

START_TEST(test_frame_at_max)
{
	struct sky_errbuf eb = { 0 };
	uint8_t frame[4 + 256];
	uint8_t *p = NULL;
	size_t len = 0;

	memset(frame, 'x', sizeof(frame));
	frame[0] = 0;
	frame[1] = 0;
	frame[2] = 1;
	frame[3] = 0;
	write_bytes(sv[0], frame, sizeof(frame));
	ck_assert_ok(wire_read_frame(sv[1], 256, 1000, &p, &len, &eb), &eb);
	ck_assert_uint_eq(len, 256);
	ck_assert_int_eq(p[255], 'x');
	free(p);
}
END_TEST

START_TEST(test_peer_closes_mid_frame)
{
	struct sky_errbuf eb = { 0 };
	static const uint8_t part[4 + 10] = { 0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	uint8_t *p = NULL;
	size_t len = 0;
	int rc;

	write_bytes(sv[0], part, sizeof(part));
	close(sv[0]);
	sv[0] = -1;
	rc = wire_read_frame(sv[1], WIRE_FRAME_MAX_DEFAULT, 1000, &p, &len, &eb);
	ck_assert_msg(rc == SKY_E_IO, "rc %d: %s", rc, sky_err_msg(&eb));
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_peer_closes_in_header)
{
	struct sky_errbuf eb = { 0 };
	uint8_t *p = NULL;
	size_t len = 0;

	write_bytes(sv[0], "\0\0", 2);
	close(sv[0]);
	sv[0] = -1;
	ck_assert_int_eq(wire_read_frame(sv[1], 1024, 1000, &p, &len, &eb), SKY_E_IO);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_peer_closes_before_frame)
{
	struct sky_errbuf eb = { 0 };
	struct wire_msg m;

	close(sv[0]);
	sv[0] = -1;
	ck_assert_int_eq(wire_recv(sv[1], NULL, 1024, 1000, &m, &eb), SKY_E_IO);
}
END_TEST

START_TEST(test_read_timeout)
{
	struct sky_errbuf eb = { 0 };
	uint8_t *p = NULL;
	size_t len = 0;
	int flags = fcntl(sv[1], F_GETFL);

	/* The timeout applies while waiting (the daemons use non-blocking fds). */
	fcntl(sv[1], F_SETFL, flags | O_NONBLOCK);
	write_bytes(sv[0], "\0\0\0\x08" "abc", 7);
	ck_assert_int_eq(wire_read_frame(sv[1], 1024, 50, &p, &len, &eb), SKY_E_TIMEOUT);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_recv_garbage_frame)
{
	struct sky_errbuf eb = { 0 };
	struct wire_msg m;

	write_bytes(sv[0], "\0\0\0\x04\xff\xff\xff\xff", 8);
	ck_assert_int_eq(wire_recv(sv[1], NULL, 1024, 1000, &m, &eb), SKY_E_PROTOCOL);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("codec");
	TCase *ts = tcase_create("socket");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_empty_body);
	tcase_add_test(tc, test_truncated_payloads);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_body_of_wrong_shape);
	tcase_add_test(tc, test_versions);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ts, pair_setup, pair_teardown);
	tcase_add_test(ts, test_socket_round_trip);
	tcase_add_test(ts, test_frame_above_max);
	tcase_add_test(ts, test_frame_at_max);
	tcase_add_test(ts, test_peer_closes_mid_frame);
	tcase_add_test(ts, test_peer_closes_in_header);
	tcase_add_test(ts, test_peer_closes_before_frame);
	tcase_add_test(ts, test_read_timeout);
	tcase_add_test(ts, test_recv_garbage_frame);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	return unit_run(wire_suite());
}
