/* SPDX-License-Identifier: MIT */
/*
 * sr_config_access.c: SRS's security and refer blocks. Defaults are SRS's: both
 * disabled. A rule is `allow|deny publish|play VALUE...;` (SRS takes one value; more
 * are ours and read as one rule each); refer's `all`, `publish` and `play` take one or
 * more domains and may repeat.
 */
#include "sr_config_access.h"

#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"

static const char *const sr_config_access_actions[SR_ACCESS_ACTION_COUNT] = {"publish", "play"};
static const char *const sr_config_access_scopes[SR_REFER_SCOPE_COUNT] = {"all", "publish", "play"};

const char *sr_access_action_name(sr_access_action_t action)
{
    return (int)action >= 0 && action < SR_ACCESS_ACTION_COUNT ? sr_config_access_actions[action] : "?";
}

/* ---- security ---- */

static int sr_config_access_action(const sr_conf_t *n, sr_access_action_t *out)
{
    const char *a = sr_conf_arg(n, 0);
    for (int i = 0; a && i < SR_ACCESS_ACTION_COUNT; i++) {
        if (strcmp(a, sr_config_access_actions[i]) == 0) {
            *out = (sr_access_action_t)i;
            return SR_OK;
        }
    }
    return sr_err_new(SR_ECONFIG, "%s:%d: security %s needs the action publish or play first, got '%s'",
                      sr_conf_file(n), sr_conf_line(n), sr_conf_name(n), a ? a : "");
}

/* The values of one allow/deny directive, appended to out->rules. */
static int sr_config_access_rule(const sr_conf_t *n, bool is_allow, sr_access_config_t *out)
{
    sr_access_action_t action = SR_ACCESS_PUBLISH;
    int rc = sr_config_access_action(n, &action);
    if (rc != SR_OK) {
        return rc;
    }
    if (sr_conf_argc(n) < 2) {
        return sr_err_new(SR_ECONFIG, "%s:%d: security %s %s needs a value: all, an IP address or a CIDR block",
                          sr_conf_file(n), sr_conf_line(n), sr_conf_name(n), sr_config_access_actions[action]);
    }
    for (int i = 1; i < sr_conf_argc(n); i++) {
        sr_access_rule_t *r = &out->rules[out->rule_count];
        if (sr_cidr_parse(sr_conf_arg(n, i), &r->net) != SR_OK) {
            return sr_err_new(SR_ECONFIG,
                              "%s:%d: security %s %s: '%s' is not all, an IP address or a CIDR block (prefix "
                              "0-32 for IPv4, 0-128 for IPv6)",
                              sr_conf_file(n), sr_conf_line(n), sr_conf_name(n), sr_config_access_actions[action],
                              sr_conf_arg(n, i));
        }
        r->is_allow = is_allow;
        r->action = action;
        r->line = sr_conf_line(n);
        out->rule_count++;
    }
    return SR_OK;
}

static int sr_config_access_security(const sr_conf_t *b, sr_access_config_t *out)
{
    int total = 0;
    for (int i = 0; i < sr_conf_child_count(b); i++) {
        const sr_conf_t *n = sr_conf_child_at(b, i);
        if (strcmp(sr_conf_name(n), "allow") == 0 || strcmp(sr_conf_name(n), "deny") == 0) {
            total += sr_conf_argc(n);
        }
    }
    out->rules = sr_calloc((size_t)SR_MAX(total, 1), sizeof(sr_access_rule_t));
    int rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &out->is_security);
    for (int i = 0; rc == SR_OK && i < sr_conf_child_count(b); i++) {
        const sr_conf_t *n = sr_conf_child_at(b, i);
        bool is_allow = strcmp(sr_conf_name(n), "allow") == 0;
        if (is_allow || strcmp(sr_conf_name(n), "deny") == 0) {
            rc = sr_config_access_rule(n, is_allow, out);
        }
    }
    return rc;
}

/* ---- refer ---- */

static int sr_config_access_refer(const sr_conf_t *b, sr_access_config_t *out)
{
    int rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &out->is_refer);
    for (int s = 0; rc == SR_OK && s < SR_REFER_SCOPE_COUNT; s++) {
        const char *name = sr_config_access_scopes[s];
        int total = 0;
        for (const sr_conf_t *n = sr_conf_get(b, name); n; n = sr_conf_next(b, n, name)) {
            if (sr_conf_argc(n) == 0) {
                return sr_err_new(SR_ECONFIG, "%s:%d: refer %s needs at least one domain", sr_conf_file(n),
                                  sr_conf_line(n), name);
            }
            total += sr_conf_argc(n);
        }
        if (total == 0) {
            continue;
        }
        out->domains[s] = sr_calloc((size_t)total, sizeof(char *));
        for (const sr_conf_t *n = sr_conf_get(b, name); n; n = sr_conf_next(b, n, name)) {
            for (int i = 0; i < sr_conf_argc(n); i++) {
                out->domains[s][out->domain_counts[s]++] = sr_conf_arg(n, i);
            }
        }
    }
    return rc;
}

int sr_config_access_resolve(const sr_conf_t *vhost, sr_access_config_t *out)
{
    memset(out, 0, sizeof(*out));
    const sr_conf_t *sec = vhost ? sr_conf_get(vhost, "security") : NULL;
    const sr_conf_t *ref = vhost ? sr_conf_get(vhost, "refer") : NULL;
    int rc = sec ? sr_config_access_security(sec, out) : SR_OK;
    return rc == SR_OK && ref ? sr_config_access_refer(ref, out) : rc;
}

void sr_config_access_deinit(sr_access_config_t *a)
{
    sr_free(a->rules);
    for (int s = 0; s < SR_REFER_SCOPE_COUNT; s++) {
        sr_free((void *)a->domains[s]);
    }
    memset(a, 0, sizeof(*a));
}
