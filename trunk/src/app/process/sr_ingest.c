/* SPDX-License-Identifier: MIT */
/*
 * sr_ingest.c: a file input is read at its own pace (-re) and looped by ffmpeg
 * (-stream_loop -1), so the stream it makes never ends; a stream input is read as it
 * comes. SRS names no input format for ingest, so -f is given only when the engine
 * sets iformat.
 */
#include "sr_ingest.h"

#include <stdio.h>
#include <string.h>

#include "sr_transcode.h"

void sr_ingest_argv(const char *ffmpeg, const sr_ingest_config_t *g, const sr_ffmpeg_engine_config_t *e,
                    const char *output, sr_argv_t *out)
{
    sr_argv_push(out, ffmpeg);
    sr_argv_append(out, &e->perfile);
    if (g->is_file) {
        const char *loop[] = {"-stream_loop", "-1", "-re"};
        for (size_t i = 0; i < SR_ARRAY_SIZE(loop); i++) {
            sr_argv_push(out, loop[i]);
        }
    }
    if (e->iformat[0] && strcmp(e->iformat, "off") != 0) {
        sr_argv_push(out, "-f");
        sr_argv_push(out, e->iformat);
    }
    sr_argv_push(out, "-i");
    sr_argv_push(out, g->input_url);
    sr_transcode_codec_args(e, !e->is_enabled, out);
    if (e->oformat[0] && strcmp(e->oformat, "off") != 0) {
        sr_argv_push(out, "-f");
        sr_argv_push(out, e->oformat);
    }
    sr_argv_push(out, "-y");
    sr_argv_push(out, output);
}

/* app and stream of a local key "vhost/app/stream" (an app may hold '/'). */
static void sr_ingest_split_key(const char *key, sr_child_spec_t *spec)
{
    const char *first = strchr(key, '/');
    const char *last = strrchr(key, '/');
    if (first && last > first) {
        snprintf(spec->app, sizeof(spec->app), "%.*s", (int)(last - first - 1), first + 1);
        snprintf(spec->stream, sizeof(spec->stream), "%s", last + 1);
    }
}

static sr_child_spec_t *sr_ingest_spec(const sr_server_config_t *cfg, const sr_vhost_config_t *v,
                                       const sr_ingest_config_t *g, int index)
{
    const sr_ffmpeg_engine_config_t *e = &g->engines[index];
    sr_child_spec_t *spec = sr_child_spec_new(SR_CHILD_INGEST);
    snprintf(spec->origin, sizeof(spec->origin), "ingest|%s|%s|%d", v->name, g->id, index);
    snprintf(spec->key, sizeof(spec->key), "%s", spec->origin);
    snprintf(spec->vhost, sizeof(spec->vhost), "%s", v->name);
    if (e->name[0]) {
        snprintf(spec->engine, sizeof(spec->engine), "%s", e->name);
    } else {
        snprintf(spec->engine, sizeof(spec->engine), "%d", index);
    }
    sr_process_vars_t vars = {.vhost = v->name, .engine = e->name, .port = sr_transcode_port(cfg)};
    char output[1024], ffmpeg[1024];
    sr_transcode_expand(e->output, &vars, output, sizeof(output));
    sr_transcode_local_key(cfg, output, spec->out_key, sizeof(spec->out_key));
    sr_ingest_split_key(spec->out_key, spec);
    if (!spec->out_key[0]) {
        snprintf(spec->app, sizeof(spec->app), "%s", g->id); /* published elsewhere: name the log by its id */
    }
    sr_transcode_ffmpeg(g->ffmpeg, ffmpeg, sizeof(ffmpeg));
    sr_ingest_argv(ffmpeg, g, e, output, &spec->argv);
    sr_transcode_log_path(cfg->ff_log_dir, "ingest", v->name, spec->app, spec->stream, spec->engine, spec->log_path,
                          sizeof(spec->log_path));
    return spec;
}

void sr_ingest_specs(const sr_server_config_t *cfg, sr_child_specs_t *out)
{
    for (int i = 0; i < cfg->vhost_count; i++) {
        const sr_vhost_config_t *v = &cfg->vhosts[i];
        for (int k = 0; v->is_enabled && v->process && k < v->process->ingest_count; k++) {
            const sr_ingest_config_t *g = &v->process->ingests[k];
            for (int e = 0; g->is_enabled && e < g->engine_count; e++) {
                sr_child_specs_push(out, sr_ingest_spec(cfg, v, g, e));
            }
        }
    }
}
