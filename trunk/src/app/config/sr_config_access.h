/* SPDX-License-Identifier: MIT */
/*
 * sr_config_access.h: a vhost's access control resolved into plain structs: security { }
 * (allow/deny rules by client address) and refer { } (allowed page domains), with SRS's
 * syntax and file:line on bad values. What the rules mean when a client arrives is
 * sr_security's (app/stream); this file only reads and validates them.
 *
 *     security { enabled on; deny publish 1.2.3.4; allow play all; allow publish 10.0.0.0/8; }
 *     refer { enabled on; all example.com; publish example.com; play example.com cdn.example; }
 */
#ifndef SR_CONFIG_ACCESS_H
#define SR_CONFIG_ACCESS_H

#include "sr_cidr.h"
#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

typedef enum sr_access_action {
    SR_ACCESS_PUBLISH,
    SR_ACCESS_PLAY,
    SR_ACCESS_ACTION_COUNT,
} sr_access_action_t;

/* One value of an allow/deny directive: `allow play 10.0.0.0/8 ::1;` gives two. */
typedef struct sr_access_rule {
    bool is_allow;
    sr_access_action_t action;
    sr_cidr_t net;
    int line; /* of the directive, for the refusal's trail */
} sr_access_rule_t;

/* The refer directives: `all` applies to both actions, the others to theirs. */
typedef enum sr_refer_scope {
    SR_REFER_ALL,
    SR_REFER_PUBLISH,
    SR_REFER_PLAY,
    SR_REFER_SCOPE_COUNT,
} sr_refer_scope_t;

/* Owned by the config snapshot (the domain strings by its tree): valid until the next
 * yield, like sr_hooks_config_t. */
typedef struct sr_access_config {
    bool is_security; /* security { enabled on; }: off, everything is allowed */
    sr_access_rule_t *rules;
    int rule_count;
    bool is_refer;                              /* refer { enabled on; }: off, no page is checked */
    const char **domains[SR_REFER_SCOPE_COUNT]; /* NULL when the directive is absent: no check */
    int domain_counts[SR_REFER_SCOPE_COUNT];
} sr_access_config_t;

/* Resolve the security and refer blocks of vhost (NULL: neither, so nothing is checked)
 * into out (caller storage, overwritten). Rules and domains are read and checked even
 * when their block is disabled. -SR_ECONFIG with "file:line: ..." for an allow/deny
 * whose action is not publish or play, without a value, or with a value that is not
 * `all`, an IP address or a CIDR block with a prefix in range; for a refer directive
 * without a domain. Free with sr_config_access_deinit, also after an error. */
int sr_config_access_resolve(const sr_conf_t *vhost, sr_access_config_t *out);
void sr_config_access_deinit(sr_access_config_t *a);
/* "publish", "play". Static. */
const char *sr_access_action_name(sr_access_action_t action);

SR_END_DECLS

#endif
