/* aws_xml.c: see aws_xml.h. */
#include "config.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_xml.h"
#include "xalloc.h"

static int named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

xmlNodePtr axml_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr k;

	if (!n)
		return NULL;
	for (k = n->children; k; k = k->next)
		if (named(k, name))
			return k;
	return NULL;
}

xmlNodePtr axml_next(xmlNodePtr n)
{
	xmlNodePtr k;

	for (k = n ? n->next : NULL; k; k = k->next)
		if (named(k, (const char *)n->name))
			return k;
	return NULL;
}

xmlNodePtr axml_find(xmlNodePtr n, const char *name)
{
	xmlNodePtr k, r;

	if (!n)
		return NULL;
	if (named(n, name))
		return n;
	for (k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		r = axml_find(k, name);
		if (r)
			return r;
	}
	return NULL;
}

char *axml_text(xmlNodePtr n, const char *path)
{
	char *p = xstrdup(path), *seg = p, *slash, *out = NULL, *s, *e;
	xmlChar *t;

	while (n && seg) {
		slash = strchr(seg, '/');
		if (slash)
			*slash = '\0';
		n = axml_child(n, seg);
		seg = slash ? slash + 1 : NULL;
	}
	free(p);
	if (!n)
		return NULL;
	t = xmlNodeGetContent(n);
	if (!t)
		return NULL;
	for (s = (char *)t; isspace((unsigned char)*s); s++)
		;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e > s)
		out = xstrndup(s, (size_t)(e - s));
	xmlFree(t);
	return out;
}

xmlDocPtr axml_parse(const char *body, size_t len)
{
	if (!body || !len || len > (size_t)0x7fffffff)
		return NULL;
	/* No network (DTDs) and nothing printed on stderr: a bad reply is an
	 * error we report ourselves. */
	return xmlReadMemory(body, (int)len, NULL, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int axml_error(const char *body, size_t len, struct aws_error *e)
{
	xmlDocPtr doc = axml_parse(body, len);
	xmlNodePtr root, err;
	char *code, *msg, *rid;

	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);
	err = axml_find(root, "Error");
	if (!err) {
		xmlFreeDoc(doc);
		return -1;
	}
	code = axml_text(err, "Code");
	msg = axml_text(err, "Message");
	rid = axml_text(root, "RequestID");
	if (!rid)
		rid = axml_text(root, "RequestId");
	copy_text(e->code, sizeof(e->code), code);
	copy_text(e->message, sizeof(e->message), msg);
	copy_text(e->request_id, sizeof(e->request_id), rid);
	free(code);
	free(msg);
	free(rid);
	xmlFreeDoc(doc);
	return 0;
}

static int in_list(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(code, *list))
			return 1;
	return 0;
}

void aws_error_classify(struct aws_error *e)
{
	static const char *const throttle[] = { "RequestLimitExceeded", "Throttling",
		"ThrottlingException", "RequestThrottled", "RequestThrottledException",
		"TooManyRequestsException", "SlowDown", "PriorRequestNotComplete", NULL };
	static const char *const server[] = { "InternalError", "InternalFailure", "Unavailable",
		"ServiceUnavailable", "RequestTimeout", "RequestTimeoutException", NULL };
	static const char *const capacity[] = { "InsufficientInstanceCapacity",
		"InsufficientCapacity", "InsufficientHostCapacity",
		"InsufficientReservedInstanceCapacity", "UnfulfillableCapacity",
		"SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded",
		"InsufficientFreeAddressesInSubnet", "Unsupported", NULL };
	static const char *const quota[] = { "InstanceLimitExceeded", "VcpuLimitExceeded",
		"ResourceLimitExceeded", NULL };
	static const char *const auth[] = { "AuthFailure", "UnauthorizedOperation",
		"InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature",
		"MissingAuthenticationToken", "OptInRequired", "Blocked", "ExpiredToken",
		"RequestExpired", "AccessDenied", "InvalidAccessKeyId", NULL };
	const char *code = e->code;

	/* Old SDKs prefix the fault side ("Server.InsufficientInstanceCapacity"). */
	if (!strncmp(code, "Server.", 7) || !strncmp(code, "Client.", 7))
		code += 7;
	e->retryable = false;
	if (in_list(code, throttle)) {
		e->klass = AWS_ERR_THROTTLE;
		e->retryable = true;
	} else if (in_list(code, server)) {
		e->klass = AWS_ERR_SERVER;
		e->retryable = true;
	} else if (in_list(code, capacity)) {
		e->klass = AWS_ERR_CAPACITY;
	} else if (in_list(code, quota)) {
		e->klass = AWS_ERR_QUOTA;
	} else if (in_list(code, auth) || !strncmp(code, "AuthFailure", 11)) {
		e->klass = AWS_ERR_AUTH;
	} else if (!strncmp(code, "Invalid", 7) || !strncmp(code, "Missing", 7) ||
		   !strncmp(code, "Malformed", 9) || !strcmp(code, "UnknownParameter") ||
		   !strcmp(code, "IdempotentParameterMismatch") || !strcmp(code, "DryRunOperation")) {
		e->klass = AWS_ERR_PARAM;
	} else if (e->http_status >= 500) {
		/* An unknown server-side code: transient until shown otherwise. */
		e->klass = AWS_ERR_SERVER;
		e->retryable = true;
	} else {
		e->klass = AWS_ERR_OTHER;
	}
}

char *aws_base64_encode(const uint8_t *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

int aws_base64_decode(const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, i, pad = 0;
	char *clean = xmalloc(strlen(s) + 1);
	int got;

	*out = NULL;
	*len = 0;
	for (i = 0; s[i]; i++)
		if (!isspace((unsigned char)s[i]))
			clean[n++] = s[i];
	clean[n] = '\0';
	if (n % 4) {
		free(clean);
		return -1;
	}
	while (pad < 2 && n > pad && clean[n - 1 - pad] == '=')
		pad++;
	*out = xmalloc(n / 4 * 3 + 1);
	got = n ? EVP_DecodeBlock(*out, (const unsigned char *)clean, (int)n) : 0;
	free(clean);
	if (got < 0) {
		FREE_NULL(*out);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	*len = (size_t)got - pad;
	(*out)[*len] = '\0';
	return 0;
}
