/* SPDX-License-Identifier: MIT */
/*
 * sr_json_writer.c: the streaming JSON writer declared in sr_json.h (RFC 8259), and the
 * strict UTF-8 validator (RFC 3629 4) the parser shares.
 *
 * The writer keeps one state byte per open array/object, so commas and misuse checks
 * cost nothing and no tree is built: output goes straight into the caller's sr_buf_t.
 * Strings are escaped in runs (safe bytes are copied in one go). Not here: parsing
 * (sr_json_parse.c), HTTP framing, what an API response contains (app/).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_error.h"
#include "sr_json.h"
#include "sr_json_internal.h"

/* Contract in sr_json_internal.h. Second-byte bounds per RFC 3629 4 (the UTF8-tail table). */
size_t sr_json__utf8_len(const uint8_t *s, size_t left)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : lo; /* no overlong 3-byte forms */
        hi = c == 0xed ? 0x9f : hi; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : lo; /* no overlong 4-byte forms */
        hi = c == 0xf4 ? 0x8f : hi; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (left < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return n;
}

enum {
    SR_JSON_W_OBJECT = 1,      /* the level is an object (else an array) */
    SR_JSON_W_HAS_ITEMS = 2,   /* a member/element was written: the next needs a comma */
    SR_JSON_W_AWAIT_VALUE = 4, /* object only: a key was written, its value is due */
};

void sr_json_writer_init(sr_json_writer_t *w, sr_buf_t *out)
{
    memset(w, 0, sizeof(*w));
    w->_out = out;
}

int sr_json_writer_finish(const sr_json_writer_t *w)
{
    return w->_is_failed || !w->_is_done ? -SR_EJSON : SR_OK;
}

static bool sr_json_writer_fail(sr_json_writer_t *w)
{
    w->_is_failed = true;
    return false;
}

/* May a value come now? If so, write the comma it needs and update the level's state. */
static bool sr_json_writer_begin_value(sr_json_writer_t *w)
{
    if (w->_is_failed) {
        return false;
    }
    if (w->_depth == 0) {
        return w->_is_done ? sr_json_writer_fail(w) : true;
    }
    uint8_t *top = &w->_stack[w->_depth - 1];
    if (*top & SR_JSON_W_OBJECT) {
        if (!(*top & SR_JSON_W_AWAIT_VALUE)) {
            return sr_json_writer_fail(w); /* a value where a key is due */
        }
        *top &= (uint8_t)~SR_JSON_W_AWAIT_VALUE;
        return true;
    }
    if (*top & SR_JSON_W_HAS_ITEMS) {
        sr_buf_put_u8(w->_out, ',');
    }
    *top |= SR_JSON_W_HAS_ITEMS;
    return true;
}

/* A value was completed: at top level the document is done. */
static void sr_json_writer_end_value(sr_json_writer_t *w)
{
    if (w->_depth == 0) {
        w->_is_done = true;
    }
}

static void sr_json_writer_raw(sr_json_writer_t *w, const char *s, size_t n)
{
    if (sr_json_writer_begin_value(w)) {
        sr_buf_put_bytes(w->_out, s, n);
        sr_json_writer_end_value(w);
    }
}

static void sr_json_writer_open(sr_json_writer_t *w, uint8_t kind, char c)
{
    if (w->_depth >= SR_JSON_MAX_DEPTH) {
        sr_json_writer_fail(w);
        return;
    }
    if (sr_json_writer_begin_value(w)) {
        w->_stack[w->_depth++] = kind;
        sr_buf_put_u8(w->_out, (uint8_t)c);
    }
}

static void sr_json_writer_close(sr_json_writer_t *w, uint8_t kind, char c)
{
    if (w->_is_failed) {
        return;
    }
    uint8_t top = w->_depth ? w->_stack[w->_depth - 1] : 0;
    if (w->_depth == 0 || (top & SR_JSON_W_OBJECT) != kind || (top & SR_JSON_W_AWAIT_VALUE)) {
        sr_json_writer_fail(w);
        return;
    }
    w->_depth--;
    sr_buf_put_u8(w->_out, (uint8_t)c);
    sr_json_writer_end_value(w);
}

void sr_json_writer_object_start(sr_json_writer_t *w)
{
    sr_json_writer_open(w, SR_JSON_W_OBJECT, '{');
}

void sr_json_writer_object_end(sr_json_writer_t *w)
{
    sr_json_writer_close(w, SR_JSON_W_OBJECT, '}');
}

void sr_json_writer_array_start(sr_json_writer_t *w)
{
    sr_json_writer_open(w, 0, '[');
}

void sr_json_writer_array_end(sr_json_writer_t *w)
{
    sr_json_writer_close(w, 0, ']');
}

/* Append s as a quoted JSON string (RFC 8259 7). Safe runs are copied in one go. */
static void sr_json_put_escaped(sr_buf_t *out, const uint8_t *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    static const char short_esc[0x23] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['"'] = '"'};
    size_t i = 0, run = 0;
    sr_buf_put_u8(out, '"');
    while (i < len) {
        uint8_t c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t n = c >= 0x80 ? sr_json__utf8_len(s + i, len - i) : 0;
        if (n) {
            i += n; /* valid multi-byte UTF-8: part of the run */
            continue;
        }
        sr_buf_put_bytes(out, s + run, i - run);
        if (c >= 0x80) {
            sr_buf_put_bytes(out, "\xef\xbf\xbd", 3); /* U+FFFD for each bad byte */
        } else if (c == '\\' || (c < sizeof(short_esc) && short_esc[c])) {
            char e[2] = {'\\', c == '\\' ? '\\' : short_esc[c]};
            sr_buf_put_bytes(out, e, 2);
        } else {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sr_buf_put_bytes(out, e, 6);
        }
        run = ++i;
    }
    sr_buf_put_bytes(out, s + run, i - run);
    sr_buf_put_u8(out, '"');
}

void sr_json_writer_key(sr_json_writer_t *w, const char *key)
{
    if (w->_is_failed) {
        return;
    }
    uint8_t *top = w->_depth ? &w->_stack[w->_depth - 1] : NULL;
    if (!key || !top || !(*top & SR_JSON_W_OBJECT) || (*top & SR_JSON_W_AWAIT_VALUE)) {
        sr_json_writer_fail(w);
        return;
    }
    if (*top & SR_JSON_W_HAS_ITEMS) {
        sr_buf_put_u8(w->_out, ',');
    }
    *top |= SR_JSON_W_HAS_ITEMS | SR_JSON_W_AWAIT_VALUE;
    sr_json_put_escaped(w->_out, (const uint8_t *)key, strlen(key));
    sr_buf_put_u8(w->_out, ':');
}

void sr_json_writer_stringn(sr_json_writer_t *w, const char *s, size_t len)
{
    if (!s) {
        sr_json_writer_null(w);
        return;
    }
    if (sr_json_writer_begin_value(w)) {
        sr_json_put_escaped(w->_out, (const uint8_t *)s, len);
        sr_json_writer_end_value(w);
    }
}

void sr_json_writer_string(sr_json_writer_t *w, const char *s)
{
    sr_json_writer_stringn(w, s, s ? strlen(s) : 0);
}

void sr_json_writer_int(sr_json_writer_t *w, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
    sr_json_writer_raw(w, buf, (size_t)n);
}

void sr_json_writer_uint(sr_json_writer_t *w, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
    sr_json_writer_raw(w, buf, (size_t)n);
}

void sr_json_writer_double(sr_json_writer_t *w, double v)
{
    const double two53 = 9007199254740992.0;
    char buf[32];
    int n;
    if (!isfinite(v)) {
        sr_json_writer_null(w);
        return;
    }
    if (v > -two53 && v < two53 && (double)(int64_t)v == v) {
        sr_json_writer_int(w, (int64_t)v); /* 3.0 -> "3", -0.0 -> "0" */
        return;
    }
    /* shortest of 15..17 significant digits that reads back exactly; 17 always does */
    for (int prec = 15;; prec++) {
        n = snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v) {
            break;
        }
    }
    sr_json_writer_raw(w, buf, (size_t)n);
}

void sr_json_writer_bool(sr_json_writer_t *w, bool v)
{
    sr_json_writer_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void sr_json_writer_null(sr_json_writer_t *w)
{
    sr_json_writer_raw(w, "null", 4);
}

void sr_json_writer_kv_string(sr_json_writer_t *w, const char *key, const char *v)
{
    sr_json_writer_key(w, key);
    sr_json_writer_string(w, v);
}

void sr_json_writer_kv_int(sr_json_writer_t *w, const char *key, int64_t v)
{
    sr_json_writer_key(w, key);
    sr_json_writer_int(w, v);
}

void sr_json_writer_kv_uint(sr_json_writer_t *w, const char *key, uint64_t v)
{
    sr_json_writer_key(w, key);
    sr_json_writer_uint(w, v);
}

void sr_json_writer_kv_bool(sr_json_writer_t *w, const char *key, bool v)
{
    sr_json_writer_key(w, key);
    sr_json_writer_bool(w, v);
}

void sr_json_writer_kv_double(sr_json_writer_t *w, const char *key, double v)
{
    sr_json_writer_key(w, key);
    sr_json_writer_double(w, v);
}
