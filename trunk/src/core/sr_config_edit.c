/* SPDX-License-Identifier: MIT */
/*
 * sr_config_edit.c: overriding directives of a freshly parsed tree before anyone reads
 * it (the environment overrides of SRS_* variables use it). It creates what is missing
 * and replaces the arguments of what exists, and marks each node it touched so the
 * tree can tell a value from the file from one set from elsewhere. Which names to
 * override and from where is app/'s business.
 */
#include <string.h>

#include "sr_alloc.h"
#include "sr_config.h"
#include "sr_config_internal.h"
#include "sr_error.h"

static sr_conf_t *sr_conf_edit_find(sr_conf_t *at, const char *name, size_t len)
{
    for (int i = 0; i < at->nkids; i++) {
        if (strlen(at->kids[i]->name) == len && memcmp(at->kids[i]->name, name, len) == 0) {
            return at->kids[i];
        }
    }
    return NULL;
}

/* Replace n's arguments by the whitespace-separated words of value. */
static void sr_conf_edit_set_args(sr_conf_t *n, const char *value)
{
    for (int i = 0; i < n->argc; i++) {
        sr_free(n->args[i]);
    }
    n->argc = 0;
    const char *p = value;
    while (*p) {
        while (*p && sr_conf__is_space(*p)) {
            p++;
        }
        const char *e = p;
        while (*e && !sr_conf__is_space(*e)) {
            e++;
        }
        if (e > p) {
            sr_conf__node_add_arg(n, sr_strndup(p, (size_t)(e - p)));
        }
        p = e;
    }
}

int sr_conf_override(sr_conf_t *at, const char *path, const char *value, const char *origin)
{
    if (!at || !path || !*path || !value || !origin) {
        return sr_err_new(SR_EINVAL, "config override: bad arguments");
    }
    sr_conf_t *n = at;
    const char *p = path;
    while (true) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0) {
            return sr_err_new(SR_EINVAL, "%s: bad directive path '%s'", origin, path);
        }
        if (!n->is_block) {
            return sr_err_new(SR_ECONFIG, "%s: %s:%d: '%s' is not a block, cannot set %s", origin, n->file, n->line,
                              n->name, path);
        }
        sr_conf_t *kid = sr_conf_edit_find(n, p, len);
        if (!kid) {
            kid = sr_conf__node_new(sr_strndup(p, len), origin, 0);
            kid->is_block = dot != NULL;
            kid->is_override = true;
            sr_conf__node_add_kid(n, kid);
        }
        n = kid;
        if (!dot) {
            break;
        }
        p = dot + 1;
    }
    if (n->is_block) {
        return sr_err_new(SR_ECONFIG, "%s: %s:%d: '%s' is a block, cannot set it to a value", origin, n->file, n->line,
                          n->name);
    }
    sr_conf_edit_set_args(n, value);
    sr_free(n->file);
    n->file = sr_strdup(origin);
    n->line = 0;
    n->is_override = true;
    return SR_OK;
}

int sr_conf_override_blocks(sr_conf_t *root, const char *block, const char *default_arg, const char *path,
                            const char *value, const char *origin)
{
    if (!root || !block || !default_arg) {
        return sr_err_new(SR_EINVAL, "config override: bad arguments");
    }
    bool any = false;
    for (int i = 0; i < root->nkids; i++) {
        sr_conf_t *b = root->kids[i];
        if (strcmp(b->name, block) != 0 || !b->is_block) {
            continue;
        }
        any = true;
        int rc = sr_conf_override(b, path, value, origin);
        if (rc != SR_OK) {
            return rc;
        }
    }
    if (any) {
        return SR_OK;
    }
    sr_conf_t *b = sr_conf__node_new(sr_strdup(block), origin, 0);
    sr_conf__node_add_arg(b, sr_strdup(default_arg));
    b->is_block = true;
    b->is_override = true;
    sr_conf__node_add_kid(root, b);
    return sr_conf_override(b, path, value, origin);
}

bool sr_conf_is_override(const sr_conf_t *n)
{
    return n && n->is_override;
}
