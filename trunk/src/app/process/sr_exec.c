/* SPDX-License-Identifier: MIT */
/*
 * sr_exec.c: each argument of a publish line is expanded on its own, so a stream
 * name with spaces stays one argument and nothing goes through a shell.
 */
#include "sr_exec.h"

#include <stdio.h>
#include <string.h>

static sr_child_spec_t *sr_exec_spec(const sr_server_config_t *cfg, const sr_vhost_config_t *v,
                                     const sr_process_vars_t *s, int index)
{
    const sr_argv_t *cmd = &v->process->exec.publish[index];
    sr_child_spec_t *spec = sr_child_spec_new(SR_CHILD_EXEC);
    snprintf(spec->group, sizeof(spec->group), "%s/%s/%s", s->vhost, s->app, s->stream);
    snprintf(spec->origin, sizeof(spec->origin), "exec|%s|%d", s->vhost, index);
    snprintf(spec->key, sizeof(spec->key), "%s|%s", spec->origin, spec->group);
    snprintf(spec->vhost, sizeof(spec->vhost), "%s", s->vhost);
    snprintf(spec->app, sizeof(spec->app), "%s", s->app);
    snprintf(spec->stream, sizeof(spec->stream), "%s", s->stream);
    snprintf(spec->engine, sizeof(spec->engine), "%d", index);
    sr_process_vars_t vars = *s;
    vars.engine = spec->engine;
    vars.port = sr_transcode_port(cfg);
    char arg[2048];
    for (int i = 0; i < cmd->n; i++) {
        sr_transcode_expand(cmd->v[i], &vars, arg, sizeof(arg));
        sr_argv_push(&spec->argv, arg);
    }
    sr_transcode_log_path(cfg->ff_log_dir, "exec", s->vhost, s->app, s->stream, spec->engine, spec->log_path,
                          sizeof(spec->log_path));
    return spec;
}

void sr_exec_specs(const sr_server_config_t *cfg, const sr_vhost_config_t *v, const sr_process_vars_t *s,
                   sr_child_specs_t *out)
{
    for (int i = 0; v->process && v->process->exec.is_enabled && i < v->process->exec.publish_count; i++) {
        sr_child_specs_push(out, sr_exec_spec(cfg, v, s, i));
    }
}
