/* SPDX-License-Identifier: MIT */
/*
 * sr_security.c: SRS's security and refer policy (see sr_security.h). The rules come
 * from the live config at each check, so a reload applies to the next publish or play,
 * never to sessions already running (SRS's behaviour too).
 *
 * refer differs from SRS on purpose in one point: SRS accepts any host that ends with
 * the domain's characters (badexample.com for example.com); here the match stops at a
 * label boundary.
 */
#include "sr_security.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sr_error.h"
#include "sr_request.h"
#include "sr_server.h"

/* ---- security ---- */

/* The first rule of kind is_allow for action that matches ip, or NULL. */
static const sr_access_rule_t *sr_security_find(const sr_access_config_t *a, sr_access_action_t action, bool is_allow,
                                                const sr_cidr_ip_t *ip, bool has_ip)
{
    for (int i = 0; i < a->rule_count; i++) {
        const sr_access_rule_t *r = &a->rules[i];
        if (r->action != action || r->is_allow != is_allow) {
            continue;
        }
        if (r->net.family == SR_CIDR_ALL || (has_ip && sr_cidr_match(&r->net, ip))) {
            return r;
        }
    }
    return NULL;
}

int sr_security_check_rules(const sr_access_config_t *a, sr_access_action_t action, const char *ip)
{
    if (!a || !a->is_security) {
        return SR_OK;
    }
    sr_cidr_ip_t addr;
    bool has_ip = ip && sr_cidr_parse_ip(ip, &addr) == SR_OK;
    const char *name = sr_access_action_name(action);
    const sr_access_rule_t *deny = sr_security_find(a, action, false, &addr, has_ip);
    if (deny) {
        char net[SR_CIDR_TEXT_MAX];
        sr_cidr_format(&deny->net, net, sizeof(net));
        return sr_err_new(SR_ESECURITY_DENIED, "security: %s from %s matches 'deny %s %s' (line %d)", name,
                          ip ? ip : "?", name, net, deny->line);
    }
    if (!sr_security_find(a, action, true, &addr, has_ip)) {
        return sr_err_new(SR_ESECURITY_DENIED, "security: %s from %s matches no allow rule", name, ip ? ip : "?");
    }
    return SR_OK;
}

/* ---- refer ---- */

/* The host of a page URL into out (lower case not needed: compared ignoring case);
 * false when there is none. */
static bool sr_security_page_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t auth_len = strcspn(p, "/?#");
    const char *at = memchr(p, '@', auth_len); /* userinfo@host */
    if (at) {
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n;
    if (*p == '[') { /* [v6]:port */
        const char *close = memchr(p, ']', auth_len);
        if (!close) {
            return false;
        }
        p++;
        n = (size_t)(close - p);
    } else {
        const char *colon = memchr(p, ':', auth_len);
        n = colon ? (size_t)(colon - p) : auth_len;
    }
    if (n == 0 || n >= size) {
        return false;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

bool sr_security_refer_match(const char *page_url, const char *domain)
{
    char host[256];
    if (!page_url || !domain || !sr_security_page_host(page_url, host, sizeof(host))) {
        return false;
    }
    domain += domain[0] == '.' ? 1 : 0;
    size_t h = strlen(host), d = strlen(domain);
    if (d == 0 || d > h || strcasecmp(host + h - d, domain) != 0) {
        return false;
    }
    return h == d || host[h - d - 1] == '.';
}

/* SR_OK when the scope is not configured or one of its domains matches. */
static int sr_security_refer_scope(const sr_access_config_t *a, sr_refer_scope_t scope, const char *name,
                                   const char *page_url)
{
    if (!a->domains[scope]) {
        return SR_OK;
    }
    for (int i = 0; i < a->domain_counts[scope]; i++) {
        if (sr_security_refer_match(page_url, a->domains[scope][i])) {
            return SR_OK;
        }
    }
    return sr_err_new(SR_ESECURITY_DENIED, "refer %s: page '%.200s' is not on %s%s", name,
                      page_url[0] ? page_url : "(none)", a->domains[scope][0],
                      a->domain_counts[scope] > 1 ? " ..." : "");
}

int sr_security_check_refer(const sr_access_config_t *a, sr_access_action_t action, const char *page_url)
{
    if (!a || !a->is_refer || !page_url) {
        return SR_OK;
    }
    int rc = sr_security_refer_scope(a, SR_REFER_ALL, "all", page_url);
    if (rc == SR_OK) {
        sr_refer_scope_t own = action == SR_ACCESS_PUBLISH ? SR_REFER_PUBLISH : SR_REFER_PLAY;
        rc = sr_security_refer_scope(a, own, sr_access_action_name(action), page_url);
    }
    return rc;
}

/* ---- the session layer's call ---- */

int sr_security_admit(sr_server_t *s, const sr_request_t *req, sr_access_action_t action)
{
    const sr_vhost_config_t *v = sr_server_config_vhost(sr_server_config(s), req->vhost);
    const sr_access_config_t *a = v ? v->access : NULL;
    /* SRT's stream id has no page: refer cannot apply to it (SRS checks refer on RTMP only) */
    const char *page_url = strcmp(req->schema, "srt") == 0 ? NULL : req->page_url;
    int rc = sr_security_check_rules(a, action, req->ip);
    if (rc == SR_OK) {
        rc = sr_security_check_refer(a, action, page_url);
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "%s %s/%s/%s refused for %s", sr_access_action_name(action), req->vhost, req->app,
                           req->stream, req->ip);
    }
    return SR_OK;
}
