/* SPDX-License-Identifier: MIT */
/*
 * sr_config_get.c: reading the config tree that sr_config.c built: accessors, lookups
 * by name and path, the typed getters (bool, int, double with ranges, each error
 * naming file:line), and dump and compare (reload checks). Nothing here knows what any
 * directive means.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_bytes.h"
#include "sr_config_internal.h"
#include "sr_error.h"

/* ---- accessors ---- */

const char *sr_conf_name(const sr_conf_t *n)
{
    return n ? n->name : "";
}

int sr_conf_argc(const sr_conf_t *n)
{
    return n ? n->argc : 0;
}

const char *sr_conf_arg(const sr_conf_t *n, int i)
{
    return n && i >= 0 && i < n->argc ? n->args[i] : NULL;
}

const char *sr_conf_file(const sr_conf_t *n)
{
    return n ? n->file : "";
}

int sr_conf_line(const sr_conf_t *n)
{
    return n ? n->line : 0;
}

bool sr_conf_is_block(const sr_conf_t *n)
{
    return n && n->is_block;
}

int sr_conf_child_count(const sr_conf_t *n)
{
    return n ? n->nkids : 0;
}

const sr_conf_t *sr_conf_child_at(const sr_conf_t *n, int i)
{
    return n && i >= 0 && i < n->nkids ? n->kids[i] : NULL;
}

const sr_conf_t *sr_conf_next(const sr_conf_t *n, const sr_conf_t *child, const char *name)
{
    if (!n || (child && child->parent != n)) {
        return NULL;
    }
    for (int i = child ? child->index + 1 : 0; i < n->nkids; i++) {
        if (strcmp(n->kids[i]->name, name) == 0) {
            return n->kids[i];
        }
    }
    return NULL;
}

const sr_conf_t *sr_conf_get(const sr_conf_t *n, const char *name)
{
    return sr_conf_next(n, NULL, name);
}

const sr_conf_t *sr_conf_get_path(const sr_conf_t *n, const char *path)
{
    const char *s = path;
    while (n) {
        const char *dot = strchr(s, '.');
        size_t len = dot ? (size_t)(dot - s) : strlen(s);
        const sr_conf_t *found = NULL;
        for (int i = 0; len > 0 && i < n->nkids && !found; i++) {
            const char *k = n->kids[i]->name;
            if (strncmp(k, s, len) == 0 && k[len] == '\0') {
                found = n->kids[i];
            }
        }
        n = found;
        if (!dot) {
            break;
        }
        s = dot + 1;
    }
    return n;
}

/* ---- typed getters ---- */

const char *sr_conf_str(const sr_conf_t *n, const char *dflt)
{
    return n && n->argc > 0 ? n->args[0] : dflt;
}

/* The one value of n, or an error naming where n is. */
static int sr_conf_single(const sr_conf_t *n, const char **v)
{
    if (n->argc != 1) {
        return sr_err_new(SR_ECONFIG, "%s:%d: '%s' expects one value, got %d", n->file, n->line, n->name, n->argc);
    }
    *v = n->args[0];
    return SR_OK;
}

int sr_conf_bool(const sr_conf_t *n, bool dflt, bool *out)
{
    static const char *const yes[] = {"on", "true", "yes"};
    static const char *const no[] = {"off", "false", "no"};
    *out = dflt;
    if (!n) {
        return SR_OK;
    }
    const char *v = NULL;
    int rc = sr_conf_single(n, &v);
    if (rc != SR_OK) {
        return rc;
    }
    for (size_t i = 0; i < SR_ARRAY_SIZE(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return SR_OK;
        }
    }
    return sr_err_new(SR_ECONFIG, "%s:%d: '%s' expects on or off, got '%s'", n->file, n->line, n->name, v);
}

int sr_conf_int(const sr_conf_t *n, long dflt, long min, long max, long *out)
{
    *out = dflt;
    if (!n) {
        return SR_OK;
    }
    const char *v = NULL;
    int rc = sr_conf_single(n, &v);
    if (rc != SR_OK) {
        return rc;
    }
    char *end = NULL;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end != '\0' || sr_conf__is_space(*v)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: '%s' expects an integer, got '%s'", n->file, n->line, n->name, v);
    }
    if (errno == ERANGE || x < min || x > max) {
        return sr_err_new(SR_ECONFIG, "%s:%d: '%s' %s is out of range [%ld, %ld]", n->file, n->line, n->name, v, min,
                          max);
    }
    *out = x;
    return SR_OK;
}

int sr_conf_double(const sr_conf_t *n, double dflt, double *out)
{
    *out = dflt;
    if (!n) {
        return SR_OK;
    }
    const char *v = NULL;
    int rc = sr_conf_single(n, &v);
    if (rc != SR_OK) {
        return rc;
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || sr_conf__is_space(*v) || !isfinite(x) || errno == ERANGE) {
        return sr_err_new(SR_ECONFIG, "%s:%d: '%s' expects a number, got '%s'", n->file, n->line, n->name, v);
    }
    *out = x;
    return SR_OK;
}

int sr_conf_double_range(const sr_conf_t *n, double dflt, double min, double max, double *out)
{
    int rc = sr_conf_double(n, dflt, out);
    if (rc == SR_OK && n && (*out < min || *out > max)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: '%s' must be between %g and %g, got %g", n->file, n->line, n->name, min,
                          max, *out);
    }
    return rc;
}

/* ---- dump and compare ---- */

static bool sr_conf_needs_quotes(const char *s)
{
    /* a leading UTF-8 BOM would be skipped as the file's byte order mark on reparse */
    if (!*s || strncmp(s, "\xef\xbb\xbf", 3) == 0) {
        return true;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || strchr(" ;{}\"'\\$#", *p)) {
            return true;
        }
    }
    return false;
}

static void sr_conf_dump_word(const char *s, sr_buf_t *out)
{
    if (!sr_conf_needs_quotes(s)) {
        sr_buf_put_str(out, s);
        return;
    }
    sr_buf_put_u8(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '$') {
            sr_buf_put_u8(out, '\\');
        }
        sr_buf_put_u8(out, (uint8_t)*p);
    }
    sr_buf_put_u8(out, '"');
}

/* Depth is bounded by SR_CONF_MAX_DEPTH. */
static void sr_conf_dump_node(const sr_conf_t *n, int indent, sr_buf_t *out)
{
    sr_buf_printf(out, "%*s", indent * 4, "");
    sr_conf_dump_word(n->name, out);
    for (int i = 0; i < n->argc; i++) {
        sr_buf_put_u8(out, ' ');
        sr_conf_dump_word(n->args[i], out);
    }
    if (!n->is_block) {
        sr_buf_put_str(out, ";\n");
        return;
    }
    sr_buf_put_str(out, " {\n");
    for (int i = 0; i < n->nkids; i++) {
        sr_conf_dump_node(n->kids[i], indent + 1, out);
    }
    sr_buf_printf(out, "%*s}\n", indent * 4, "");
}

void sr_conf_dump(const sr_conf_t *n, sr_buf_t *out)
{
    if (!n) {
        return;
    }
    if (!n->is_root) {
        sr_conf_dump_node(n, 0, out);
        return;
    }
    for (int i = 0; i < n->nkids; i++) {
        sr_conf_dump_node(n->kids[i], 0, out);
    }
}

/* Depth is bounded by SR_CONF_MAX_DEPTH. */
bool sr_conf_equal(const sr_conf_t *a, const sr_conf_t *b)
{
    if (!a || !b) {
        return a == b;
    }
    if (strcmp(a->name, b->name) != 0 || a->argc != b->argc || a->nkids != b->nkids || a->is_block != b->is_block) {
        return false;
    }
    for (int i = 0; i < a->argc; i++) {
        if (strcmp(a->args[i], b->args[i]) != 0) {
            return false;
        }
    }
    for (int i = 0; i < a->nkids; i++) {
        if (!sr_conf_equal(a->kids[i], b->kids[i])) {
            return false;
        }
    }
    return true;
}
