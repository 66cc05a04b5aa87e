/* SPDX-License-Identifier: MIT */
/*
 * sr_json_parse.c: the JSON DOM parser and accessors declared in sr_json.h (RFC 8259).
 *
 * Recursive descent whose depth is checked before each descent (SR_JSON_MAX_DEPTH), so
 * a hostile "[[[[..." fails long before it could exhaust a coroutine stack. Every
 * read is bounds-checked against the end of the input, which need not be
 * NUL-terminated; a failure frees the partial tree. Not here: writing (sr_json_writer.c),
 * hook semantics (app/), config parsing.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_json.h"
#include "sr_json_internal.h"

/* ======================================================================== */
/* nodes                                                                    */
/* ======================================================================== */

typedef struct sr_json_member {
    char *key;
    size_t key_len;
    sr_json_t *value;
} sr_json_member_t;

struct sr_json {
    sr_json_type_t type;
    bool is_int;  /* number: i holds its exact value */
    size_t count; /* array elements, object members */
    size_t cap;
    union {
        bool b;
        struct {
            double d;
            int64_t i;
        } num;
        struct {
            char *s;
            size_t len;
        } str;
        sr_json_t **items;
        sr_json_member_t *members;
    } u;
};

typedef struct sr_json_parser {
    const uint8_t *p;
    const uint8_t *end;
} sr_json_parser_t;

static int sr_json_parse_value(sr_json_parser_t *ps, int depth, sr_json_t **out);

static sr_json_t *sr_json_node_new(sr_json_type_t type)
{
    sr_json_t *v = SR_NEW(sr_json_t);
    v->type = type;
    return v;
}

void sr_json_free(sr_json_t *v)
{
    if (!v) {
        return;
    }
    if (v->type == SR_JSON_STRING) {
        sr_free(v->u.str.s);
    } else if (v->type == SR_JSON_ARRAY) {
        for (size_t i = 0; i < v->count; i++) {
            sr_json_free(v->u.items[i]);
        }
        sr_free(v->u.items);
    } else if (v->type == SR_JSON_OBJECT) {
        for (size_t i = 0; i < v->count; i++) {
            sr_free(v->u.members[i].key);
            sr_json_free(v->u.members[i].value);
        }
        sr_free(v->u.members);
    }
    sr_free(v);
}

/* arr (count used of *cap elements of elem bytes) with room for one more; may move. */
static void *sr_json_grow(void *arr, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap) {
        return arr;
    }
    *cap = *cap ? *cap * 2 : 4;
    return sr_realloc(arr, *cap * elem);
}

static void sr_json_skip_ws(sr_json_parser_t *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        ps->p++;
    }
}

/* ======================================================================== */
/* strings                                                                  */
/* ======================================================================== */

static int sr_json_hex4(const uint8_t *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -SR_EJSON;
        }
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return SR_OK;
}

static size_t sr_json_put_utf8(uint8_t *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (uint8_t)(0xc0 | cp >> 6);
        d[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (uint8_t)(0xe0 | cp >> 12);
        d[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        d[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (uint8_t)(0xf0 | cp >> 18);
    d[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    d[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    d[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode the \u escape at s[*i] (s[*i] == '\\', s[*i + 1] == 'u'), a surrogate pair
 * included, into d[*n]. Output is never longer than input (6 -> <=3, 12 -> 4 bytes). */
static int sr_json_unescape_u(const uint8_t *s, size_t span, size_t *i, uint8_t *d, size_t *n)
{
    uint32_t cp, lo;
    if (*i + 6 > span || sr_json_hex4(s + *i + 2, &cp)) {
        return -SR_EJSON;
    }
    *i += 6;
    if (cp >= 0xdc00 && cp <= 0xdfff) {
        return -SR_EJSON; /* lone low surrogate */
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (*i + 6 > span || s[*i] != '\\' || s[*i + 1] != 'u' || sr_json_hex4(s + *i + 2, &lo) || lo < 0xdc00 ||
            lo > 0xdfff) {
            return -SR_EJSON; /* high surrogate not followed by a low one */
        }
        *i += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    *n += sr_json_put_utf8(d + *n, cp);
    return SR_OK;
}

/* Decode the span bytes of a string body (between the quotes) into d (>= span bytes). */
static int sr_json_unescape(const uint8_t *s, size_t span, uint8_t *d, size_t *out_len)
{
    static const uint8_t simple[128] = {
        ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t'};
    size_t i = 0, n = 0;
    while (i < span) {
        uint8_t c = s[i];
        size_t len = 1;
        if (c == '\\') {
            uint8_t e = i + 1 < span ? s[i + 1] : 0;
            if (e == 'u') {
                if (sr_json_unescape_u(s, span, &i, d, &n)) {
                    return -SR_EJSON;
                }
                continue;
            }
            if (e >= 128 || !simple[e]) {
                return -SR_EJSON; /* bad escape */
            }
            d[n++] = simple[e];
            i += 2;
            continue;
        }
        if (c < 0x20) {
            return -SR_EJSON; /* raw control characters must be escaped */
        }
        if (c >= 0x80 && (len = sr_json__utf8_len(s + i, span - i)) == 0) {
            return -SR_EJSON;
        }
        memcpy(d + n, s + i, len);
        n += len;
        i += len;
    }
    *out_len = n;
    return SR_OK;
}

/* Parse the string at ps->p (a '"') into a new NUL-terminated *out of *len bytes. */
static int sr_json_parse_string_raw(sr_json_parser_t *ps, char **out, size_t *len)
{
    const uint8_t *s = ps->p + 1;
    size_t left = (size_t)(ps->end - s), span = 0;
    /* find the closing quote; the byte after a backslash never closes */
    while (span < left && s[span] != '"') {
        span += s[span] == '\\' ? 2 : 1;
    }
    if (span >= left) {
        return -SR_EJSON; /* unterminated */
    }
    uint8_t *d = sr_malloc(span + 1);
    if (sr_json_unescape(s, span, d, len)) {
        sr_free(d);
        return -SR_EJSON;
    }
    d[*len] = '\0';
    *out = (char *)d;
    ps->p = s + span + 1;
    return SR_OK;
}

static int sr_json_parse_string(sr_json_parser_t *ps, sr_json_t **out)
{
    char *s;
    size_t len;
    if (sr_json_parse_string_raw(ps, &s, &len)) {
        return -SR_EJSON;
    }
    *out = sr_json_node_new(SR_JSON_STRING);
    (*out)->u.str.s = s;
    (*out)->u.str.len = len;
    return SR_OK;
}

/* ======================================================================== */
/* numbers and literals                                                     */
/* ======================================================================== */

/* Length of the RFC 8259 6 number at s, or 0 if none; *is_integer: no fraction/exponent. */
static size_t sr_json_scan_number(const uint8_t *s, size_t left, bool *is_integer)
{
    size_t i = 0, digits;
    *is_integer = true;
    i += i < left && s[i] == '-';
    if (i < left && s[i] == '0') {
        i++; /* a leading zero stands alone: "01" leaves "1" behind, which fails later */
    } else if (i < left && s[i] >= '1' && s[i] <= '9') {
        while (i < left && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    } else {
        return 0;
    }
    if (i < left && s[i] == '.') {
        *is_integer = false;
        for (digits = 0, i++; i < left && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        }
        if (!digits) {
            return 0;
        }
    }
    if (i < left && (s[i] == 'e' || s[i] == 'E')) {
        *is_integer = false;
        i++;
        i += i < left && (s[i] == '+' || s[i] == '-');
        for (digits = 0; i < left && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        }
        if (!digits) {
            return 0;
        }
    }
    return i;
}

static int sr_json_parse_number(sr_json_parser_t *ps, sr_json_t **out)
{
    bool is_integer;
    size_t n = sr_json_scan_number(ps->p, (size_t)(ps->end - ps->p), &is_integer);
    if (!n) {
        return -SR_EJSON;
    }
    /* strtod/strtoll need a NUL-terminated copy; the input need not have one */
    char tmp[64];
    char *buf = n < sizeof(tmp) ? tmp : sr_malloc(n + 1);
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    double d = strtod(buf, NULL);
    int64_t i = 0;
    bool is_int = false;
    if (is_integer) {
        errno = 0;
        long long ll = strtoll(buf, NULL, 10);
        is_int = errno == 0;
        i = ll;
    } else if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
        is_int = true; /* "1e3", "2.0" */
        i = (int64_t)d;
    }
    if (buf != tmp) {
        sr_free(buf);
    }
    if (isinf(d)) {
        return -SR_EJSON; /* out of double range */
    }
    *out = sr_json_node_new(SR_JSON_NUMBER);
    (*out)->u.num.d = d;
    (*out)->u.num.i = i;
    (*out)->is_int = is_int;
    ps->p += n;
    return SR_OK;
}

static int sr_json_parse_literal(sr_json_parser_t *ps, sr_json_t **out)
{
    static const struct {
        const char *text;
        size_t len;
        sr_json_type_t type;
        bool b;
    } lits[] = {{"true", 4, SR_JSON_BOOL, true}, {"false", 5, SR_JSON_BOOL, false}, {"null", 4, SR_JSON_NULL, false}};
    size_t left = (size_t)(ps->end - ps->p);
    for (size_t k = 0; k < SR_ARRAY_SIZE(lits); k++) {
        if (left >= lits[k].len && memcmp(ps->p, lits[k].text, lits[k].len) == 0) {
            *out = sr_json_node_new(lits[k].type);
            (*out)->u.b = lits[k].b;
            ps->p += lits[k].len;
            return SR_OK;
        }
    }
    return -SR_EJSON;
}

/* ======================================================================== */
/* arrays, objects, the document                                            */
/* ======================================================================== */

/* After an element or member: ',' (returns 1, more follow), the closer (returns 0), else error. */
static int sr_json_parse_next(sr_json_parser_t *ps, uint8_t closer)
{
    sr_json_skip_ws(ps);
    if (ps->p < ps->end && (*ps->p == ',' || *ps->p == closer)) {
        return *ps->p++ == ',';
    }
    return -SR_EJSON;
}

/* ps->p is at '['; depth counts the arrays/objects enclosing this one. */
static int sr_json_parse_array(sr_json_parser_t *ps, int depth, sr_json_t **out)
{
    sr_json_t *a = sr_json_node_new(SR_JSON_ARRAY), *item;
    int rc = 1;
    ps->p++;
    sr_json_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        rc = 0;
    }
    while (rc == 1) {
        if (sr_json_parse_value(ps, depth + 1, &item)) {
            rc = -SR_EJSON;
            break;
        }
        a->u.items = sr_json_grow(a->u.items, &a->cap, a->count, sizeof(*a->u.items));
        a->u.items[a->count++] = item;
        rc = sr_json_parse_next(ps, ']');
    }
    if (rc) {
        sr_json_free(a);
        return -SR_EJSON;
    }
    *out = a;
    return SR_OK;
}

/* Parse one `"key": value` member into o. */
static int sr_json_parse_member(sr_json_parser_t *ps, int depth, sr_json_t *o)
{
    sr_json_member_t m;
    sr_json_skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"' || sr_json_parse_string_raw(ps, &m.key, &m.key_len)) {
        return -SR_EJSON;
    }
    sr_json_skip_ws(ps);
    if (ps->p >= ps->end || *ps->p++ != ':' || sr_json_parse_value(ps, depth + 1, &m.value)) {
        sr_free(m.key);
        return -SR_EJSON;
    }
    o->u.members = sr_json_grow(o->u.members, &o->cap, o->count, sizeof(*o->u.members));
    o->u.members[o->count++] = m;
    return SR_OK;
}

/* ps->p is at '{'; depth counts the arrays/objects enclosing this one. */
static int sr_json_parse_object(sr_json_parser_t *ps, int depth, sr_json_t **out)
{
    sr_json_t *o = sr_json_node_new(SR_JSON_OBJECT);
    int rc = 1;
    ps->p++;
    sr_json_skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        rc = 0;
    }
    while (rc == 1) {
        if (sr_json_parse_member(ps, depth, o)) {
            rc = -SR_EJSON;
            break;
        }
        rc = sr_json_parse_next(ps, '}');
    }
    if (rc) {
        sr_json_free(o);
        return -SR_EJSON;
    }
    *out = o;
    return SR_OK;
}

static int sr_json_parse_value(sr_json_parser_t *ps, int depth, sr_json_t **out)
{
    sr_json_skip_ws(ps);
    if (ps->p >= ps->end) {
        return -SR_EJSON;
    }
    switch (*ps->p) {
    case '{':
    case '[':
        if (depth >= SR_JSON_MAX_DEPTH) {
            return -SR_EJSON; /* checked before descending: the stack stays shallow */
        }
        return *ps->p == '{' ? sr_json_parse_object(ps, depth, out) : sr_json_parse_array(ps, depth, out);
    case '"':
        return sr_json_parse_string(ps, out);
    case 't':
    case 'f':
    case 'n':
        return sr_json_parse_literal(ps, out);
    default:
        return sr_json_parse_number(ps, out);
    }
}

int sr_json_parse(const char *text, size_t len, sr_json_t **out)
{
    sr_json_t *v = NULL;
    *out = NULL;
    if (!text) {
        return -SR_EJSON;
    }
    sr_json_parser_t ps = {(const uint8_t *)text, (const uint8_t *)text + len};
    if (sr_json_parse_value(&ps, 0, &v)) {
        return -SR_EJSON;
    }
    sr_json_skip_ws(&ps);
    if (ps.p != ps.end) {
        sr_json_free(v);
        return -SR_EJSON; /* trailing garbage */
    }
    *out = v;
    return SR_OK;
}

/* ======================================================================== */
/* accessors                                                                */
/* ======================================================================== */

sr_json_type_t sr_json_type(const sr_json_t *v)
{
    return v ? v->type : SR_JSON_NONE;
}

sr_json_t *sr_json_get(const sr_json_t *obj, const char *key)
{
    if (!obj || obj->type != SR_JSON_OBJECT || !key) {
        return NULL;
    }
    size_t len = strlen(key);
    for (size_t i = obj->count; i-- > 0;) {
        const sr_json_member_t *m = &obj->u.members[i];
        if (m->key_len == len && memcmp(m->key, key, len) == 0) {
            return m->value;
        }
    }
    return NULL;
}

bool sr_json_number(const sr_json_t *v, double *out)
{
    if (!v || v->type != SR_JSON_NUMBER) {
        return false;
    }
    *out = v->u.num.d;
    return true;
}

bool sr_json_int(const sr_json_t *v, int64_t *out)
{
    if (!v || v->type != SR_JSON_NUMBER || !v->is_int) {
        return false;
    }
    *out = v->u.num.i;
    return true;
}

bool sr_json_bool(const sr_json_t *v, bool *out)
{
    if (!v || v->type != SR_JSON_BOOL) {
        return false;
    }
    *out = v->u.b;
    return true;
}

const char *sr_json_string(const sr_json_t *v, size_t *len)
{
    if (!v || v->type != SR_JSON_STRING) {
        return NULL;
    }
    if (len) {
        *len = v->u.str.len;
    }
    return v->u.str.s;
}

size_t sr_json_array_count(const sr_json_t *v)
{
    return v && v->type == SR_JSON_ARRAY ? v->count : 0;
}

sr_json_t *sr_json_array_at(const sr_json_t *v, size_t i)
{
    return i < sr_json_array_count(v) ? v->u.items[i] : NULL;
}

size_t sr_json_object_count(const sr_json_t *v)
{
    return v && v->type == SR_JSON_OBJECT ? v->count : 0;
}

const char *sr_json_object_key_at(const sr_json_t *v, size_t i)
{
    return i < sr_json_object_count(v) ? v->u.members[i].key : NULL;
}

sr_json_t *sr_json_object_value_at(const sr_json_t *v, size_t i)
{
    return i < sr_json_object_count(v) ? v->u.members[i].value : NULL;
}
