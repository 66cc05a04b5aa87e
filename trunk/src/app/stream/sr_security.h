/* SPDX-License-Identifier: MIT */
/*
 * sr_security.h: who may publish or play on a vhost, by the client's address (security
 * { }) and the page it came from (refer { }), with SRS's rules. The session layer asks
 * once per publish and play (sr_session.c), for every protocol; the HTTP file server
 * asks for HLS playlists and segments.
 *
 * security: disabled (or absent), everything is allowed. Enabled, for the action asked:
 * a deny rule that matches refuses (deny wins whatever the order), else an allow rule
 * that matches admits, else the client is refused (no rule: nobody).
 * refer: disabled, nothing is checked. Enabled, the page's host must be one of the
 * listed domains or a subdomain of one (`example.com` admits example.com and
 * www.example.com, not badexample.com), for `all` and for the action's own directive,
 * each only when it is configured. An empty page URL is refused.
 *
 * Not here: parsing the blocks (sr_config_access), address matching (sr_cidr), or what
 * a refused client is told (the protocol's: RTMP error status and close, HTTP 403).
 */
#ifndef SR_SECURITY_H
#define SR_SECURITY_H

#include "sr_config_access.h"
#include "sr_core.h"

SR_BEGIN_DECLS

struct sr_request;
struct sr_server;

/* Whether a client at ip (text, borrowed) may do action under a's security block.
 * SR_OK, or -SR_ESECURITY_DENIED with a trail naming the rule (or "no allow rule") and
 * the address; an address that does not parse matches only `all` rules. */
int sr_security_check_rules(const sr_access_config_t *a, sr_access_action_t action, const char *ip);
/* Whether page_url (borrowed; NULL: the protocol has no page URL, so refer does not
 * apply) passes a's refer block for action. SR_OK or -SR_ESECURITY_DENIED with a trail
 * naming the host and the directive. */
int sr_security_check_refer(const sr_access_config_t *a, sr_access_action_t action, const char *page_url);
/* Whether the host of page_url ("http://user@Host:8080/p", "host/p", "[v6]:1") is
 * domain (a leading '.' ignored) or ends with "." + domain, ignoring case. False for an
 * empty page URL or domain. */
bool sr_security_refer_match(const char *page_url, const char *domain);
/* Both checks for req's client (its ip and page_url; SRT carries no page URL, so refer
 * skips it) against the live config of req's vhost (the default vhost when it has no
 * block of its own). SR_OK or -SR_ESECURITY_DENIED with a trail naming the vhost, the
 * action, the client and the reason. Never yields. */
int sr_security_admit(struct sr_server *s, const struct sr_request *req, sr_access_action_t action);

SR_END_DECLS

#endif
