/*
 * aws_xml.h: reading EC2's XML replies with libxml2's tree API. Elements
 * are matched by local name only, so the reply's namespace (which carries
 * the API version) never matters.
 */
#ifndef SKY_AWS_XML_H
#define SKY_AWS_XML_H

#include <libxml/tree.h>
#include <stddef.h>

#include "aws_ec2.h"

/* The first child element of n named name (borrowed), or NULL. */
xmlNodePtr axml_child(xmlNodePtr n, const char *name);

/* The next sibling element after n with the same local name, or NULL. */
xmlNodePtr axml_next(xmlNodePtr n);

/* The first element named name in n's subtree, n included (borrowed). */
xmlNodePtr axml_find(xmlNodePtr n, const char *name);

/* Text of the child path ("instanceState/name"), trimmed; NULL if absent
 * or empty. Caller frees. */
char *axml_text(xmlNodePtr n, const char *path);

/* Parse a reply body; NULL when it is not XML. Caller frees (xmlFreeDoc). */
xmlDocPtr axml_parse(const char *body, size_t len);

/*
 * Fill e's code, message and request id from an EC2 error body (<Response>
 * <Errors><Error><Code>..). Returns 0 if one was found.
 */
int axml_error(const char *body, size_t len, struct aws_error *e);

/* Classify e->code (and e->http_status) into e->klass and e->retryable. */
void aws_error_classify(struct aws_error *e);

/* Base64 (no line breaks) of data. Caller frees. */
char *aws_base64_encode(const uint8_t *data, size_t len);

/* Decode base64 (whitespace ignored); -1 if malformed. *out caller-freed,
 * NUL-terminated after *len bytes. */
int aws_base64_decode(const char *s, uint8_t **out, size_t *len);

#endif
