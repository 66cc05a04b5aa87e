/* SPDX-License-Identifier: MIT */
/*
 * sr_amf0.c: AMF0 values, decoder and encoder, written from the AMF0 specification
 * (Adobe, "Action Message Format -- AMF 0", 2007; section numbers below refer to it).
 *
 * Not here: AMF3 (RTMP's AMF3 messages carry AMF0 after a format byte, see
 * sr_rtmp_command.c), references (0x07) and typed objects, which no RTMP encoder we
 * serve sends. The decoder never trusts a length or count: every read goes through
 * sr_reader_t, nesting is bounded, and counts are checked against the bytes left.
 */
#include "sr_amf0.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"

#define SR_AMF0_U16_MAX 0xffff

typedef struct sr_amf0_prop {
    char *key; /* NUL-terminated copy; may contain NULs, key_len is the truth */
    size_t key_len;
    sr_amf0_t *value;
} sr_amf0_prop_t;

struct sr_amf0 {
    sr_amf0_type_t type;
    union {
        double number;
        bool boolean;
        struct {
            char *data;
            size_t len;
        } str;
        struct {
            double ms;
            int16_t tz;
        } date;
        struct {
            sr_amf0_prop_t *items;
            size_t count;
            size_t cap;
        } props; /* object, ECMA array */
        struct {
            sr_amf0_t **items;
            size_t count;
            size_t cap;
        } elems; /* strict array */
    } u;
};

/* ============================================================================
 * Values
 * ========================================================================== */

static sr_amf0_t *sr_amf0_alloc(sr_amf0_type_t type)
{
    sr_amf0_t *v = SR_NEW(sr_amf0_t);
    v->type = type;
    return v;
}

sr_amf0_t *sr_amf0_number_new(double v)
{
    sr_amf0_t *a = sr_amf0_alloc(SR_AMF0_NUMBER);
    a->u.number = v;
    return a;
}

sr_amf0_t *sr_amf0_boolean_new(bool v)
{
    sr_amf0_t *a = sr_amf0_alloc(SR_AMF0_BOOLEAN);
    a->u.boolean = v;
    return a;
}

sr_amf0_t *sr_amf0_string_newn(const char *s, size_t len)
{
    sr_amf0_t *a = sr_amf0_alloc(SR_AMF0_STRING);
    a->u.str.data = sr_malloc(len + 1);
    if (len > 0) {
        memcpy(a->u.str.data, s, len);
    }
    a->u.str.data[len] = '\0';
    a->u.str.len = len;
    return a;
}

sr_amf0_t *sr_amf0_string_new(const char *s)
{
    return sr_amf0_string_newn(s, strlen(s));
}

sr_amf0_t *sr_amf0_null_new(void)
{
    return sr_amf0_alloc(SR_AMF0_NULL);
}

sr_amf0_t *sr_amf0_undefined_new(void)
{
    return sr_amf0_alloc(SR_AMF0_UNDEFINED);
}

sr_amf0_t *sr_amf0_object_new(void)
{
    return sr_amf0_alloc(SR_AMF0_OBJECT);
}

sr_amf0_t *sr_amf0_ecma_array_new(void)
{
    return sr_amf0_alloc(SR_AMF0_ECMA_ARRAY);
}

sr_amf0_t *sr_amf0_strict_array_new(void)
{
    return sr_amf0_alloc(SR_AMF0_STRICT_ARRAY);
}

sr_amf0_t *sr_amf0_date_new(double ms, int16_t tz)
{
    sr_amf0_t *a = sr_amf0_alloc(SR_AMF0_DATE);
    a->u.date.ms = ms;
    a->u.date.tz = tz;
    return a;
}

static bool sr_amf0_is_props(const sr_amf0_t *v)
{
    return v != NULL && (v->type == SR_AMF0_OBJECT || v->type == SR_AMF0_ECMA_ARRAY);
}

static bool sr_amf0_is_elems(const sr_amf0_t *v)
{
    return v != NULL && v->type == SR_AMF0_STRICT_ARRAY;
}

void sr_amf0_free(sr_amf0_t *v)
{
    if (v == NULL) {
        return;
    }
    switch (v->type) {
    case SR_AMF0_STRING:
        sr_free(v->u.str.data);
        break;
    case SR_AMF0_OBJECT:
    case SR_AMF0_ECMA_ARRAY:
        for (size_t i = 0; i < v->u.props.count; i++) {
            sr_free(v->u.props.items[i].key);
            sr_amf0_free(v->u.props.items[i].value);
        }
        sr_free(v->u.props.items);
        break;
    case SR_AMF0_STRICT_ARRAY:
        for (size_t i = 0; i < v->u.elems.count; i++) {
            sr_amf0_free(v->u.elems.items[i]);
        }
        sr_free(v->u.elems.items);
        break;
    default:
        break;
    }
    sr_free(v);
}

/* Append a property without looking for duplicates (keeps decoding linear). */
static void sr_amf0_props_append(sr_amf0_t *o, const char *key, size_t key_len, sr_amf0_t *value)
{
    if (o->u.props.count == o->u.props.cap) {
        o->u.props.cap = o->u.props.cap ? o->u.props.cap * 2 : 8;
        o->u.props.items = sr_realloc(o->u.props.items, o->u.props.cap * sizeof(sr_amf0_prop_t));
    }
    sr_amf0_prop_t *p = &o->u.props.items[o->u.props.count++];
    p->key = sr_strndup(key, key_len);
    p->key_len = key_len;
    p->value = value;
}

static void sr_amf0_elems_append(sr_amf0_t *a, sr_amf0_t *value)
{
    if (a->u.elems.count == a->u.elems.cap) {
        a->u.elems.cap = a->u.elems.cap ? a->u.elems.cap * 2 : 8;
        a->u.elems.items = sr_realloc(a->u.elems.items, a->u.elems.cap * sizeof(sr_amf0_t *));
    }
    a->u.elems.items[a->u.elems.count++] = value;
}

sr_amf0_t *sr_amf0_clone(const sr_amf0_t *v)
{
    switch (v->type) {
    case SR_AMF0_STRING:
        return sr_amf0_string_newn(v->u.str.data, v->u.str.len);
    case SR_AMF0_OBJECT:
    case SR_AMF0_ECMA_ARRAY: {
        sr_amf0_t *o = sr_amf0_alloc(v->type);
        for (size_t i = 0; i < v->u.props.count; i++) {
            const sr_amf0_prop_t *p = &v->u.props.items[i];
            sr_amf0_props_append(o, p->key, p->key_len, sr_amf0_clone(p->value));
        }
        return o;
    }
    case SR_AMF0_STRICT_ARRAY: {
        sr_amf0_t *a = sr_amf0_alloc(v->type);
        for (size_t i = 0; i < v->u.elems.count; i++) {
            sr_amf0_elems_append(a, sr_amf0_clone(v->u.elems.items[i]));
        }
        return a;
    }
    default: {
        sr_amf0_t *c = sr_amf0_alloc(v->type);
        c->u = v->u;
        return c;
    }
    }
}

sr_amf0_type_t sr_amf0_type(const sr_amf0_t *v)
{
    return v ? v->type : SR_AMF0_UNDEFINED;
}

double sr_amf0_number(const sr_amf0_t *v)
{
    return (v && v->type == SR_AMF0_NUMBER) ? v->u.number : 0;
}

bool sr_amf0_boolean(const sr_amf0_t *v)
{
    return (v && v->type == SR_AMF0_BOOLEAN) ? v->u.boolean : false;
}

const char *sr_amf0_string(const sr_amf0_t *v, size_t *len)
{
    if (v == NULL || v->type != SR_AMF0_STRING) {
        if (len) {
            *len = 0;
        }
        return NULL;
    }
    if (len) {
        *len = v->u.str.len;
    }
    return v->u.str.data;
}

double sr_amf0_date_ms(const sr_amf0_t *v)
{
    return (v && v->type == SR_AMF0_DATE) ? v->u.date.ms : 0;
}

int16_t sr_amf0_date_tz(const sr_amf0_t *v)
{
    return (v && v->type == SR_AMF0_DATE) ? v->u.date.tz : 0;
}

/* ============================================================================
 * Objects, ECMA arrays, strict arrays
 * ========================================================================== */

/* Index of the first property named key, or -1. */
static long sr_amf0_props_find(const sr_amf0_t *o, const char *key)
{
    if (!sr_amf0_is_props(o)) {
        return -1;
    }
    size_t len = strlen(key);
    for (size_t i = 0; i < o->u.props.count; i++) {
        const sr_amf0_prop_t *p = &o->u.props.items[i];
        if (p->key_len == len && memcmp(p->key, key, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

void sr_amf0_object_set_take(sr_amf0_t *o, const char *key, sr_amf0_t *value)
{
    if (!sr_amf0_is_props(o)) {
        sr_amf0_free(value);
        return;
    }
    long i = sr_amf0_props_find(o, key);
    if (i >= 0) {
        sr_amf0_free(o->u.props.items[i].value);
        o->u.props.items[i].value = value;
        return;
    }
    sr_amf0_props_append(o, key, strlen(key), value);
}

sr_amf0_t *sr_amf0_object_get(const sr_amf0_t *o, const char *key)
{
    long i = sr_amf0_props_find(o, key);
    return i >= 0 ? o->u.props.items[i].value : NULL;
}

const char *sr_amf0_object_get_string(const sr_amf0_t *o, const char *key)
{
    return sr_amf0_string(sr_amf0_object_get(o, key), NULL);
}

double sr_amf0_object_get_number(const sr_amf0_t *o, const char *key, double dflt)
{
    const sr_amf0_t *v = sr_amf0_object_get(o, key);
    return (v && v->type == SR_AMF0_NUMBER) ? v->u.number : dflt;
}

size_t sr_amf0_object_count(const sr_amf0_t *o)
{
    return sr_amf0_is_props(o) ? o->u.props.count : 0;
}

const char *sr_amf0_object_key_at(const sr_amf0_t *o, size_t i)
{
    return (sr_amf0_is_props(o) && i < o->u.props.count) ? o->u.props.items[i].key : NULL;
}

sr_amf0_t *sr_amf0_object_value_at(const sr_amf0_t *o, size_t i)
{
    return (sr_amf0_is_props(o) && i < o->u.props.count) ? o->u.props.items[i].value : NULL;
}

bool sr_amf0_object_remove(sr_amf0_t *o, const char *key)
{
    long i = sr_amf0_props_find(o, key);
    if (i < 0) {
        return false;
    }
    sr_free(o->u.props.items[i].key);
    sr_amf0_free(o->u.props.items[i].value);
    size_t after = o->u.props.count - (size_t)i - 1;
    memmove(&o->u.props.items[i], &o->u.props.items[i + 1], after * sizeof(sr_amf0_prop_t));
    o->u.props.count--;
    return true;
}

void sr_amf0_array_push_take(sr_amf0_t *a, sr_amf0_t *value)
{
    if (!sr_amf0_is_elems(a)) {
        sr_amf0_free(value);
        return;
    }
    sr_amf0_elems_append(a, value);
}

size_t sr_amf0_array_count(const sr_amf0_t *a)
{
    return sr_amf0_is_elems(a) ? a->u.elems.count : 0;
}

sr_amf0_t *sr_amf0_array_at(const sr_amf0_t *a, size_t i)
{
    return (sr_amf0_is_elems(a) && i < a->u.elems.count) ? a->u.elems.items[i] : NULL;
}

/* ============================================================================
 * Decoder
 * ========================================================================== */

typedef int (*sr_amf0_decode_fn)(sr_reader_t *r, int depth, sr_amf0_t **out);

static int sr_amf0_decode_value(sr_reader_t *r, int depth, sr_amf0_t **out);

/* 2.2 number-type: an 8-byte IEEE 754 double, big-endian. */
static int sr_amf0_decode_number(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    double d;
    if (sr_reader_double(r, &d) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    *out = sr_amf0_number_new(d);
    return SR_OK;
}

/* 2.3 boolean-type: one byte, zero is false. */
static int sr_amf0_decode_boolean(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint8_t b;
    if (sr_reader_u8(r, &b) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    *out = sr_amf0_boolean_new(b != 0);
    return SR_OK;
}

static int sr_amf0_decode_utf8_body(sr_reader_t *r, size_t len, sr_amf0_t **out)
{
    const uint8_t *p;
    if (sr_reader_ptr(r, len, &p) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    *out = sr_amf0_string_newn((const char *)p, len);
    return SR_OK;
}

/* 2.4 string-type: UTF-8 with a u16 length. */
static int sr_amf0_decode_string(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint16_t len;
    if (sr_reader_be16(r, &len) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    return sr_amf0_decode_utf8_body(r, len, out);
}

/* 2.14 long-string-type: UTF-8 with a u32 length. */
static int sr_amf0_decode_long_string(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint32_t len;
    if (sr_reader_be32(r, &len) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    return sr_amf0_decode_utf8_body(r, len, out);
}

static int sr_amf0_decode_null(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    *out = sr_amf0_null_new();
    return SR_OK;
}

static int sr_amf0_decode_undefined(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    *out = sr_amf0_undefined_new();
    return SR_OK;
}

/*
 * Properties of an object (2.5) or ECMA array (2.10): (UTF-8 name, value)* ended by an
 * empty name and the object-end marker. With end_optional (ECMA arrays), the end of
 * input also ends the list, because some encoders leave the marker out. On failure the
 * caller frees o, which owns everything decoded so far.
 */
static int sr_amf0_decode_props(sr_reader_t *r, int depth, sr_amf0_t *o, bool end_optional)
{
    if (depth > SR_AMF0_MAX_DEPTH) {
        return -SR_ERTMP_AMF0;
    }
    for (;;) {
        if (end_optional && sr_reader_left(r) == 0) {
            return SR_OK;
        }
        uint16_t key_len;
        const uint8_t *key;
        if (sr_reader_be16(r, &key_len) != SR_OK || sr_reader_ptr(r, key_len, &key) != SR_OK) {
            return -SR_ERTMP_AMF0;
        }
        if (key_len == 0 && sr_reader_left(r) > 0 && *sr_reader_cur(r) == SR_AMF0_OBJECT_END) {
            sr_reader_skip(r, 1);
            return SR_OK;
        }
        if (key_len == 0 && end_optional && sr_reader_left(r) == 0) {
            return SR_OK; /* "00 00" then end of input: a cut-short end marker */
        }
        sr_amf0_t *value;
        int rc = sr_amf0_decode_value(r, depth + 1, &value);
        if (rc != SR_OK) {
            return rc;
        }
        sr_amf0_props_append(o, (const char *)key, key_len, value);
    }
}

static int sr_amf0_decode_object(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    sr_amf0_t *o = sr_amf0_object_new();
    int rc = sr_amf0_decode_props(r, depth, o, false);
    if (rc != SR_OK) {
        sr_amf0_free(o);
        return rc;
    }
    *out = o;
    return SR_OK;
}

/* 2.10 ecma-array-type: a u32 count (a hint only: encoders get it wrong), then properties. */
static int sr_amf0_decode_ecma_array(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint32_t hint;
    if (sr_reader_be32(r, &hint) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    sr_amf0_t *o = sr_amf0_ecma_array_new();
    int rc = sr_amf0_decode_props(r, depth, o, true);
    if (rc != SR_OK) {
        sr_amf0_free(o);
        return rc;
    }
    *out = o;
    return SR_OK;
}

/* 2.12 strict-array-type: a u32 count, then that many values. */
static int sr_amf0_decode_strict_array(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint32_t count;
    if (sr_reader_be32(r, &count) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    /* every value takes at least its marker byte: refuse impossible counts before allocating */
    if (depth > SR_AMF0_MAX_DEPTH || count > sr_reader_left(r)) {
        return -SR_ERTMP_AMF0;
    }
    sr_amf0_t *a = sr_amf0_strict_array_new();
    if (count > 0) {
        a->u.elems.items = sr_malloc((size_t)count * sizeof(sr_amf0_t *));
        a->u.elems.cap = count;
    }
    for (uint32_t i = 0; i < count; i++) {
        sr_amf0_t *value;
        int rc = sr_amf0_decode_value(r, depth + 1, &value);
        if (rc != SR_OK) {
            sr_amf0_free(a);
            return rc;
        }
        a->u.elems.items[a->u.elems.count++] = value;
    }
    *out = a;
    return SR_OK;
}

/* 2.13 date-type: double ms since the epoch (UTC), then an s16 time-zone (reserved, 0). */
static int sr_amf0_decode_date(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    double ms;
    uint16_t tz;
    if (sr_reader_double(r, &ms) != SR_OK || sr_reader_be16(r, &tz) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    *out = sr_amf0_date_new(ms, (int16_t)tz);
    return SR_OK;
}

/* Indexed by marker; NULL entries (movieclip, reference, object-end, ...) are refused. */
static const sr_amf0_decode_fn sr_amf0_decoders[] = {
    [SR_AMF0_NUMBER] = sr_amf0_decode_number,
    [SR_AMF0_BOOLEAN] = sr_amf0_decode_boolean,
    [SR_AMF0_STRING] = sr_amf0_decode_string,
    [SR_AMF0_OBJECT] = sr_amf0_decode_object,
    [SR_AMF0_NULL] = sr_amf0_decode_null,
    [SR_AMF0_UNDEFINED] = sr_amf0_decode_undefined,
    [SR_AMF0_ECMA_ARRAY] = sr_amf0_decode_ecma_array,
    [SR_AMF0_STRICT_ARRAY] = sr_amf0_decode_strict_array,
    [SR_AMF0_DATE] = sr_amf0_decode_date,
    [SR_AMF0_LONG_STRING] = sr_amf0_decode_long_string,
};

static int sr_amf0_decode_value(sr_reader_t *r, int depth, sr_amf0_t **out)
{
    uint8_t marker;
    if (sr_reader_u8(r, &marker) != SR_OK) {
        return -SR_ERTMP_AMF0;
    }
    if (marker >= SR_ARRAY_SIZE(sr_amf0_decoders) || sr_amf0_decoders[marker] == NULL) {
        return -SR_ERTMP_AMF0;
    }
    return sr_amf0_decoders[marker](r, depth, out);
}

int sr_amf0_decode(sr_reader_t *r, sr_amf0_t **out)
{
    size_t start = r->pos;
    *out = NULL;
    int rc = sr_amf0_decode_value(r, 1, out);
    if (rc != SR_OK) {
        *out = NULL;
        r->pos = start;
    }
    return rc;
}

int sr_amf0_decode_all(const uint8_t *data, size_t size, sr_amf0_t ***values, size_t *count)
{
    sr_reader_t r;
    sr_reader_init(&r, data, size);
    sr_amf0_t **list = NULL;
    size_t n = 0, cap = 0;
    *values = NULL;
    *count = 0;
    while (sr_reader_left(&r) > 0) {
        sr_amf0_t *v;
        int rc = sr_amf0_decode(&r, &v);
        if (rc != SR_OK) {
            sr_amf0_free_all(list, n);
            return rc;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            list = sr_realloc(list, cap * sizeof(sr_amf0_t *));
        }
        list[n++] = v;
    }
    *values = list;
    *count = n;
    return SR_OK;
}

void sr_amf0_free_all(sr_amf0_t **values, size_t count)
{
    if (values == NULL) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        sr_amf0_free(values[i]);
    }
    sr_free(values);
}

/* ============================================================================
 * Encoder and direct writers
 * ========================================================================== */

void sr_amf0_write_number(sr_buf_t *out, double v)
{
    sr_buf_put_u8(out, SR_AMF0_NUMBER);
    sr_buf_put_double(out, v);
}

void sr_amf0_write_boolean(sr_buf_t *out, bool v)
{
    sr_buf_put_u8(out, SR_AMF0_BOOLEAN);
    sr_buf_put_u8(out, v ? 1 : 0);
}

void sr_amf0_write_stringn(sr_buf_t *out, const char *s, size_t len)
{
    if (len > SR_AMF0_U16_MAX) {
        sr_buf_put_u8(out, SR_AMF0_LONG_STRING);
        sr_buf_put_be32(out, (uint32_t)len);
    } else {
        sr_buf_put_u8(out, SR_AMF0_STRING);
        sr_buf_put_be16(out, (uint16_t)len);
    }
    sr_buf_put_bytes(out, s, len);
}

void sr_amf0_write_string(sr_buf_t *out, const char *s)
{
    sr_amf0_write_stringn(out, s, strlen(s));
}

void sr_amf0_write_null(sr_buf_t *out)
{
    sr_buf_put_u8(out, SR_AMF0_NULL);
}

void sr_amf0_write_undefined(sr_buf_t *out)
{
    sr_buf_put_u8(out, SR_AMF0_UNDEFINED);
}

void sr_amf0_write_object_start(sr_buf_t *out)
{
    sr_buf_put_u8(out, SR_AMF0_OBJECT);
}

static void sr_amf0_write_keyn(sr_buf_t *out, const char *key, size_t len)
{
    len = SR_MIN(len, (size_t)SR_AMF0_U16_MAX);
    sr_buf_put_be16(out, (uint16_t)len);
    sr_buf_put_bytes(out, key, len);
}

void sr_amf0_write_property_name(sr_buf_t *out, const char *key)
{
    sr_amf0_write_keyn(out, key, strlen(key));
}

void sr_amf0_write_object_end(sr_buf_t *out)
{
    sr_buf_put_be16(out, 0);
    sr_buf_put_u8(out, SR_AMF0_OBJECT_END);
}

void sr_amf0_write_ecma_array_start(sr_buf_t *out, uint32_t count)
{
    sr_buf_put_u8(out, SR_AMF0_ECMA_ARRAY);
    sr_buf_put_be32(out, count);
}

void sr_amf0_write_date(sr_buf_t *out, double ms, int16_t tz)
{
    sr_buf_put_u8(out, SR_AMF0_DATE);
    sr_buf_put_double(out, ms);
    sr_buf_put_be16(out, (uint16_t)tz);
}

static void sr_amf0_encode_props(const sr_amf0_t *v, sr_buf_t *out)
{
    for (size_t i = 0; i < v->u.props.count; i++) {
        sr_amf0_write_keyn(out, v->u.props.items[i].key, v->u.props.items[i].key_len);
        sr_amf0_encode(v->u.props.items[i].value, out);
    }
    sr_amf0_write_object_end(out);
}

void sr_amf0_encode(const sr_amf0_t *v, sr_buf_t *out)
{
    switch (v->type) {
    case SR_AMF0_NUMBER:
        sr_amf0_write_number(out, v->u.number);
        break;
    case SR_AMF0_BOOLEAN:
        sr_amf0_write_boolean(out, v->u.boolean);
        break;
    case SR_AMF0_STRING:
        sr_amf0_write_stringn(out, v->u.str.data, v->u.str.len);
        break;
    case SR_AMF0_OBJECT:
        sr_amf0_write_object_start(out);
        sr_amf0_encode_props(v, out);
        break;
    case SR_AMF0_ECMA_ARRAY:
        sr_amf0_write_ecma_array_start(out, (uint32_t)v->u.props.count);
        sr_amf0_encode_props(v, out);
        break;
    case SR_AMF0_STRICT_ARRAY:
        sr_buf_put_u8(out, SR_AMF0_STRICT_ARRAY);
        sr_buf_put_be32(out, (uint32_t)v->u.elems.count);
        for (size_t i = 0; i < v->u.elems.count; i++) {
            sr_amf0_encode(v->u.elems.items[i], out);
        }
        break;
    case SR_AMF0_DATE:
        sr_amf0_write_date(out, v->u.date.ms, v->u.date.tz);
        break;
    case SR_AMF0_NULL:
        sr_amf0_write_null(out);
        break;
    default:
        sr_amf0_write_undefined(out);
        break;
    }
}
