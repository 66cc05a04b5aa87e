/* SPDX-License-Identifier: MIT */
/*
 * sr_config_env.h: SRS-compatible environment overrides. SRS (v5+) lets SRS_<PATH>
 * variables override config directives, so a docker-compose file written for SRS sets
 * SRS_LISTEN=1935, SRS_HTTP_API_ENABLED=on, SRS_VHOST_HLS_ENABLED=on, ... The name is
 * derived by SRS's rule: "SRS_" + the directive path joined by '_' and upper-cased;
 * the path of a vhost directive starts with "vhost" and the value applies to every
 * vhost. The rule is not reversible (directive names contain '_'), so one table lists
 * the directive paths we accept; the variable names are derived from it.
 */
#ifndef SR_CONFIG_ENV_H
#define SR_CONFIG_ENV_H

#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

struct sr_buf;

/* The environment lookup: the value of name or NULL. getenv() in the server. */
typedef const char *(*sr_config_env_get_fn)(const char *name, void *arg);

/* Write the variable name for the dotted directive path ("vhost.hls.enabled" ->
 * "SRS_VHOST_HLS_ENABLED") into out (size bytes, NUL-terminated).
 * Errors: -SR_EOVERFLOW (out too small), -SR_EINVAL (empty path). */
int sr_config_env_name(const char *path, char *out, size_t size);

/* Number of supported directive paths, and path i ("http_api.auth.password"), or
 * NULL out of range. Owned by the table. */
int sr_config_env_count(void);
const char *sr_config_env_path_at(int i);

/* Apply each supported variable that get (NULL: getenv) returns non-empty to root, as
 * SRS does: the environment wins over the file, and a directive missing from the file
 * is created (a vhost one in every vhost; `vhost __defaultVhost__` if there is none).
 * The nodes name "env VAR" as their origin, so a bad value is refused naming the
 * variable. Appends one line "env VAR sets DIRECTIVE = VALUE" per override to report
 * (may be NULL). Returns the number of overrides, or a negative error of
 * sr_conf_override() (the trail names the variable). */
int sr_config_env_apply(sr_conf_t *root, sr_config_env_get_fn get, void *arg, struct sr_buf *report);

SR_END_DECLS

#endif
