/* SPDX-License-Identifier: MIT */
/*
 * sr_json.h: JSON (RFC 8259) for the HTTP API and the HTTP hooks, in two halves:
 *  - a streaming writer (sr_json_writer_t, caller storage) that appends to an sr_buf_t
 *    with no tree, for API responses and hook payloads built on every request;
 *  - a small DOM parser (sr_json_t, opaque) for hook answers and tests.
 *
 * The writer inserts commas itself and escapes every string, replacing invalid UTF-8
 * with U+FFFD, so its output is valid JSON even when a peer sent garbage (a stream
 * name, a tcUrl). The parser treats its input as hostile: nesting is limited to
 * SR_JSON_MAX_DEPTH so a peer cannot recurse through a 128 KiB coroutine stack, and
 * every malformed text is -SR_EJSON with nothing leaked. Numbers go through
 * snprintf/strtod and so assume the C locale (Strand never calls setlocale).
 * This is not a general JSON library: no JSON Pointer, no DOM editing, no comments or
 * other JSON5 extensions.
 */
#ifndef SR_JSON_H
#define SR_JSON_H

#include "sr_bytes.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* Most arrays/objects nested inside each other (a top-level array is 1), for both halves. */
#define SR_JSON_MAX_DEPTH 32

/* ======================================================================== */
/* writer                                                                   */
/* ======================================================================== */

/* Caller storage; the fields are private. */
typedef struct sr_json_writer {
    sr_buf_t *_out;
    uint8_t _depth;                    /* open arrays/objects */
    bool _is_done;                     /* the top-level value is complete */
    bool _is_failed;                   /* sticky: a call broke the grammar */
    uint8_t _stack[SR_JSON_MAX_DEPTH]; /* per open level: kind and state bits */
} sr_json_writer_t;

/* Start writing one JSON value, appended to out (borrowed; must outlive the writer).
 * out is not reset: the value follows whatever it holds. Nothing to deinit.
 *
 * Misuse (a value where a key is due, a key in an array, a mismatched or extra end,
 * nesting over SR_JSON_MAX_DEPTH, a second top-level value) is a programmer error. It
 * does not abort: it sets a sticky flag, the call and every later call write nothing,
 * and sr_json_writer_finish() answers -SR_EJSON. Check finish before sending. */
void sr_json_writer_init(sr_json_writer_t *w, sr_buf_t *out);
/* SR_OK if exactly one complete value was written and no call was misused, else
 * -SR_EJSON (no trail). The output is then incomplete and must not be sent. */
int sr_json_writer_finish(const sr_json_writer_t *w);

/* Write '{' as a value; members (key + value) follow until sr_json_writer_object_end. */
void sr_json_writer_object_start(sr_json_writer_t *w);
/* Write '}'; the innermost open level must be an object with no key awaiting a value. */
void sr_json_writer_object_end(sr_json_writer_t *w);
/* Write '[' as a value; elements follow until sr_json_writer_array_end. */
void sr_json_writer_array_start(sr_json_writer_t *w);
/* Write ']'; the innermost open level must be an array. */
void sr_json_writer_array_end(sr_json_writer_t *w);
/* The next member's name (NUL-terminated, borrowed, escaped like a string). Only inside
 * an object, and each key must be followed by exactly one value. */
void sr_json_writer_key(sr_json_writer_t *w, const char *key);
/* A string value from NUL-terminated s (borrowed). s NULL writes null. Escaped per
 * RFC 8259 7: '"', '\\' and the C0 controls (\b \f \n \r \t, others \u00XX); every
 * byte that does not start a valid UTF-8 sequence (overlong, surrogate, > U+10FFFF,
 * truncated) becomes U+FFFD, one per bad byte. Valid multi-byte UTF-8 is kept as is. */
void sr_json_writer_string(sr_json_writer_t *w, const char *s);
/* Like sr_json_writer_string for len bytes at s (borrowed); NULs become \u0000. */
void sr_json_writer_stringn(sr_json_writer_t *w, const char *s, size_t len);
/* A signed integer, in decimal. */
void sr_json_writer_int(sr_json_writer_t *w, int64_t v);
/* An unsigned integer, in decimal. */
void sr_json_writer_uint(sr_json_writer_t *w, uint64_t v);
/* A number. NaN and infinities (not JSON) are written as null. Integral values with
 * |v| < 2^53 are written as integers ("3", "-0" as "0"); the rest use the shortest of
 * %.15g/%.16g/%.17g that reads back (strtod) to the same double ("0.1", "12.5",
 * "1e+21"), so every finite double round-trips exactly. */
void sr_json_writer_double(sr_json_writer_t *w, double v);
/* true or false. */
void sr_json_writer_bool(sr_json_writer_t *w, bool v);
/* null. */
void sr_json_writer_null(sr_json_writer_t *w);

/* ---- key + value in one call, inside an object; same rules as the two calls ---- */

/* "key": string v (borrowed); v NULL writes null. */
void sr_json_writer_kv_string(sr_json_writer_t *w, const char *key, const char *v);
/* "key": signed integer v. */
void sr_json_writer_kv_int(sr_json_writer_t *w, const char *key, int64_t v);
/* "key": unsigned integer v. */
void sr_json_writer_kv_uint(sr_json_writer_t *w, const char *key, uint64_t v);
/* "key": true/false. */
void sr_json_writer_kv_bool(sr_json_writer_t *w, const char *key, bool v);
/* "key": number v, formatted like sr_json_writer_double. */
void sr_json_writer_kv_double(sr_json_writer_t *w, const char *key, double v);

/* ======================================================================== */
/* parser (DOM)                                                             */
/* ======================================================================== */

typedef enum sr_json_type {
    SR_JSON_NONE = 0, /* no value: the type of a NULL pointer (an absent key) */
    SR_JSON_NULL,
    SR_JSON_BOOL,
    SR_JSON_NUMBER,
    SR_JSON_STRING,
    SR_JSON_ARRAY,
    SR_JSON_OBJECT,
} sr_json_type_t;

typedef struct sr_json sr_json_t;

/* Parse exactly one JSON text (RFC 8259: any value at top level, so "0" is valid) from
 * len bytes at text (borrowed; need not be NUL-terminated) into *out, owned by the
 * caller (free with sr_json_free). Leading/trailing whitespace is allowed; anything
 * else after the value is an error. Strings must be valid UTF-8 with no raw control
 * characters; escapes, surrogate pairs included, are decoded to UTF-8 (\u0000 gives an
 * embedded NUL); a lone surrogate is an error. Numbers are doubles; one out of double
 * range (1e400) is an error. Duplicate keys are kept; sr_json_get finds the last.
 * Returns SR_OK, or -SR_EJSON for any malformed input or nesting over
 * SR_JSON_MAX_DEPTH (the recursion never goes deeper). On failure *out is NULL and
 * nothing is leaked. Leaves no error trail (like kernel parsers): the caller wraps. */
int sr_json_parse(const char *text, size_t len, sr_json_t **out);
/* Free v and everything in it. NULL is ignored. */
void sr_json_free(sr_json_t *v);

/* ---- accessors: v is borrowed and may be NULL (e.g. straight from sr_json_get), so
 * calls chain: sr_json_int(sr_json_get(root, "code"), &code). ---- */

/* The type of v; SR_JSON_NONE for NULL. */
sr_json_type_t sr_json_type(const sr_json_t *v);
/* The member value of key (NUL-terminated, borrowed), borrowed from obj, or NULL if
 * obj is NULL, not an object, or has no such key. With duplicate keys, the last. */
sr_json_t *sr_json_get(const sr_json_t *obj, const char *key);
/* If v is a number, store it in *out and return true; else false, *out unchanged. */
bool sr_json_number(const sr_json_t *v, double *out);
/* If v is a number with an exact int64 value ("42", "-7", "1e3", "2.0"), store it in
 * *out and return true; else (not a number, a fraction, out of range) false. Integer
 * literals beyond 2^53 keep all their digits (parsed with strtoll, not via double). */
bool sr_json_int(const sr_json_t *v, int64_t *out);
/* If v is a boolean, store it in *out and return true; else false. */
bool sr_json_bool(const sr_json_t *v, bool *out);
/* The decoded string, NUL-terminated and owned by v, or NULL if v is not a string. It
 * may contain NULs (\u0000): *len (if len is not NULL) gets the real length. */
const char *sr_json_string(const sr_json_t *v, size_t *len);
/* Element count; 0 if v is not an array. */
size_t sr_json_array_count(const sr_json_t *v);
/* The i-th element (borrowed), or NULL if v is not an array or i is out of range. */
sr_json_t *sr_json_array_at(const sr_json_t *v, size_t i);
/* Member count; 0 if v is not an object. */
size_t sr_json_object_count(const sr_json_t *v);
/* The i-th member's key in document order (NUL-terminated, owned by v; a key holding
 * \u0000 is cut there), or NULL if v is not an object or i is out of range. */
const char *sr_json_object_key_at(const sr_json_t *v, size_t i);
/* The i-th member's value (borrowed), or NULL if v is not an object or i is out of range. */
sr_json_t *sr_json_object_value_at(const sr_json_t *v, size_t i);

SR_END_DECLS

#endif
