/* SPDX-License-Identifier: MIT */
/*
 * sr_transcode.c: ffmpeg command lines in SRS's order (input options, -i, video
 * options, audio options, output format, -y, output), so a command line an SRS user
 * knows from SRS's log reads the same here. The loop guard keeps an engine from
 * transcoding the stream its own child publishes (outputs commonly go back to the
 * same app as STREAM_ENGINE, which a scope of the app matches again): as in SRS, a
 * stream one of our transcoders publishes is not transcoded at all, by no engine, or
 * two engines of one scope would feed each other without end.
 */
#include "sr_transcode.h"

#include <stdio.h>
#include <string.h>

#include "sr_error.h"
#include "sr_log.h"
#include "sr_request.h"

/* ======================================================================== */
/* templates and names                                                      */
/* ======================================================================== */

void sr_transcode_expand(const char *tmpl, const sr_process_vars_t *v, char *out, size_t size)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", v->port);
    const char *keys[] = {"[vhost]", "[app]", "[stream]", "[engine]", "[param]", "[port]"};
    const char *vals[] = {v->vhost, v->app, v->stream, v->engine, v->param, port};
    size_t n = 0;
    for (const char *p = tmpl; *p && n + 1 < size;) {
        size_t k = 0;
        while (k < SR_ARRAY_SIZE(keys) && strncmp(p, keys[k], strlen(keys[k])) != 0) {
            k++;
        }
        if (k < SR_ARRAY_SIZE(keys)) {
            n += (size_t)snprintf(out + n, size - n, "%s", vals[k] ? vals[k] : "");
            n = SR_MIN(n, size - 1);
            p += strlen(keys[k]);
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

void sr_transcode_log_path(const char *dir, const char *kind, const char *vhost, const char *app, const char *stream,
                           const char *engine, char *out, size_t size)
{
    if (!dir[0] || strcmp(dir, "/dev/null") == 0) {
        out[0] = '\0';
        return;
    }
    int dir_len = snprintf(out, size, "%s/", dir);
    if (dir_len < 0 || (size_t)dir_len >= size) {
        out[0] = '\0';
        return;
    }
    snprintf(out + dir_len, size - (size_t)dir_len, "ffmpeg-%s-%s-%s-%s-%s.log", kind, vhost, app, stream, engine);
    /* only the file name part is cleaned: the directory is the operator's */
    for (char *p = out + dir_len; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
                  *p == '_' || *p == '-';
        *p = ok ? *p : '_';
    }
}

int sr_transcode_port(const sr_server_config_t *cfg)
{
    return cfg->listen_count > 0 ? cfg->listens[0].port : 1935;
}

void sr_transcode_host(const sr_server_config_t *cfg, char *out, size_t size)
{
    const char *ip = cfg->listen_count > 0 ? cfg->listens[0].ip : "";
    bool is_any = !ip[0] || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
    if (is_any) {
        snprintf(out, size, "127.0.0.1");
    } else {
        snprintf(out, size, strchr(ip, ':') ? "[%s]" : "%s", ip);
    }
}

void sr_transcode_ffmpeg(const char *configured, char *out, size_t size)
{
    char path[1024];
    const char *slash = strrchr(configured, '/');
    snprintf(out, size, "%s", configured);
    if (slash && strcmp(slash, "/ffmpeg") == 0 && sr_process_resolve(configured, path, sizeof(path)) != SR_OK &&
        sr_process_resolve("ffmpeg", path, sizeof(path)) == SR_OK) {
        snprintf(out, size, "ffmpeg");
    }
    sr_err_clear();
}

/* Whether host names this machine for a child: loopback or a listen address. */
static bool sr_transcode_is_local_host(const sr_server_config_t *cfg, const char *host)
{
    if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0) {
        return true;
    }
    for (int i = 0; i < cfg->listen_count; i++) {
        if (strcmp(cfg->listens[i].ip, host) == 0) {
            return true;
        }
    }
    return false;
}

static bool sr_transcode_is_local_port(const sr_server_config_t *cfg, int port)
{
    for (int i = 0; i < cfg->listen_count; i++) {
        if (cfg->listens[i].port == port) {
            return true;
        }
    }
    return false;
}

void sr_transcode_local_key(const sr_server_config_t *cfg, const char *url, char *out, size_t size)
{
    out[0] = '\0';
    const char *auth = strstr(url, "://");
    const char *slash = strrchr(url, '/');
    const char *path = auth ? strchr(auth + 3, '/') : NULL;
    if (strncmp(url, "rtmp://", 7) != 0 || !path || slash <= path) {
        return; /* not rtmp://HOST/APP/STREAM */
    }
    char tc_url[SR_REQUEST_TC_URL_MAX + 1];
    snprintf(tc_url, sizeof(tc_url), "%.*s", (int)(slash - url), url);
    char app[SR_REQUEST_APP_MAX + SR_REQUEST_PARAM_MAX + 2];
    snprintf(app, sizeof(app), "%.*s", (int)(slash - path - 1), path + 1);
    sr_request_t req;
    sr_request_init(&req);
    if (sr_request_from_connect(&req, tc_url, app, 1935) == SR_OK && sr_request_set_stream(&req, slash + 1) == SR_OK &&
        sr_transcode_is_local_host(cfg, req.host) && sr_transcode_is_local_port(cfg, req.port)) {
        const sr_vhost_config_t *v = sr_server_config_vhost(cfg, req.vhost);
        if (v) {
            snprintf(out, size, "%s/%s/%s", v->name, req.app, req.stream);
        }
    }
    sr_err_clear();
    sr_request_deinit(&req);
}

/* ======================================================================== */
/* command lines                                                            */
/* ======================================================================== */

static void sr_transcode_video_args(const sr_ffmpeg_engine_config_t *e, sr_argv_t *out)
{
    if (strcmp(e->vcodec, "vn") == 0) {
        sr_argv_push(out, "-vn");
        return;
    }
    if (strcmp(e->vcodec, "copy") == 0) {
        sr_argv_push(out, "-vcodec");
        sr_argv_push(out, "copy");
        return;
    }
    sr_argv_append(out, &e->vfilter); /* filters cannot apply to a copied stream */
    if (e->vcodec[0]) {
        sr_argv_push(out, "-vcodec");
        sr_argv_push(out, e->vcodec);
    }
    if (e->vbitrate_kbps > 0) {
        sr_argv_push(out, "-b:v");
        sr_argv_pushf(out, "%dk", e->vbitrate_kbps);
    }
    if (e->vfps > 0) {
        sr_argv_push(out, "-r");
        sr_argv_pushf(out, "%g", e->vfps);
    }
    if (e->vwidth > 0 && e->vheight > 0) {
        sr_argv_push(out, "-s");
        sr_argv_pushf(out, "%dx%d", e->vwidth, e->vheight);
    }
    const char *opts[][2] = {{"-profile:v", e->vprofile}, {"-preset", e->vpreset}};
    for (size_t i = 0; i < SR_ARRAY_SIZE(opts); i++) {
        if (opts[i][1][0]) {
            sr_argv_push(out, opts[i][0]);
            sr_argv_push(out, opts[i][1]);
        }
    }
    if (e->vthreads > 0) {
        sr_argv_push(out, "-threads");
        sr_argv_pushf(out, "%d", e->vthreads);
    }
    sr_argv_append(out, &e->vparams);
}

static void sr_transcode_audio_args(const sr_ffmpeg_engine_config_t *e, sr_argv_t *out)
{
    if (strcmp(e->acodec, "an") == 0) {
        sr_argv_push(out, "-an");
        return;
    }
    if (e->acodec[0]) {
        sr_argv_push(out, "-acodec");
        sr_argv_push(out, e->acodec);
    }
    if (strcmp(e->acodec, "copy") == 0) {
        return;
    }
    const char *flags[] = {"-b:a", "-ar", "-ac"};
    int vals[] = {e->abitrate_kbps, e->asample_rate, e->achannels};
    for (size_t i = 0; i < SR_ARRAY_SIZE(flags); i++) {
        if (vals[i] > 0) {
            sr_argv_push(out, flags[i]);
            sr_argv_pushf(out, i == 0 ? "%dk" : "%d", vals[i]);
        }
    }
    sr_argv_append(out, &e->aparams);
}

void sr_transcode_codec_args(const sr_ffmpeg_engine_config_t *e, bool is_copy, sr_argv_t *out)
{
    if (is_copy) {
        const char *copy[] = {"-vcodec", "copy", "-acodec", "copy"};
        for (size_t i = 0; i < SR_ARRAY_SIZE(copy); i++) {
            sr_argv_push(out, copy[i]);
        }
        return;
    }
    sr_transcode_video_args(e, out);
    sr_transcode_audio_args(e, out);
}

void sr_transcode_argv(const char *ffmpeg, const sr_ffmpeg_engine_config_t *e, const char *input, const char *output,
                       sr_argv_t *out)
{
    sr_argv_push(out, ffmpeg);
    sr_argv_append(out, &e->perfile);
    const char *iformat = e->iformat[0] ? e->iformat : "flv";
    if (strcmp(iformat, "off") != 0) {
        sr_argv_push(out, "-f");
        sr_argv_push(out, iformat);
    }
    sr_argv_push(out, "-i");
    sr_argv_push(out, input);
    sr_transcode_codec_args(e, false, out);
    if (e->oformat[0] && strcmp(e->oformat, "off") != 0) {
        sr_argv_push(out, "-f");
        sr_argv_push(out, e->oformat);
    }
    sr_argv_push(out, "-y");
    sr_argv_push(out, output);
}

/* ======================================================================== */
/* specs for a live stream                                                  */
/* ======================================================================== */

/* SRS's scopes: "" every stream of the vhost, "APP", or "APP/STREAM". */
static bool sr_transcode_scope_matches(const char *scope, const char *app, const char *stream)
{
    if (!scope[0]) {
        return true;
    }
    size_t alen = strlen(app);
    if (strncmp(scope, app, alen) != 0) {
        return false;
    }
    return scope[alen] == '\0' || (scope[alen] == '/' && strcmp(scope + alen + 1, stream) == 0);
}

typedef struct sr_transcode_guard {
    const char *key;
    bool is_loop;
} sr_transcode_guard_t;

static void sr_transcode_guard_one(void *arg, const sr_child_info_t *c)
{
    sr_transcode_guard_t *g = arg;
    g->is_loop |= c->spec->kind == SR_CHILD_TRANSCODE && strcmp(c->spec->out_key, g->key) == 0;
}

bool sr_transcode_is_output(const sr_supervisor_t *sup, const char *key)
{
    sr_transcode_guard_t g = {key, false};
    sr_supervisor_foreach(sup, sr_transcode_guard_one, &g);
    return g.is_loop;
}

/* The spec of engine e of transcode block t for stream s, or NULL when its output is
 * s itself. */
static sr_child_spec_t *sr_transcode_spec(const sr_server_config_t *cfg, const sr_transcode_config_t *t, int index,
                                          const sr_ffmpeg_engine_config_t *e, const sr_process_vars_t *s)
{
    sr_child_spec_t *spec = sr_child_spec_new(SR_CHILD_TRANSCODE);
    snprintf(spec->group, sizeof(spec->group), "%s/%s/%s", s->vhost, s->app, s->stream);
    snprintf(spec->origin, sizeof(spec->origin), "transcode|%s|%d:%s|%s", s->vhost, index, t->scope, e->name);
    snprintf(spec->key, sizeof(spec->key), "%s|%s", spec->origin, spec->group);
    snprintf(spec->vhost, sizeof(spec->vhost), "%s", s->vhost);
    snprintf(spec->app, sizeof(spec->app), "%s", s->app);
    snprintf(spec->stream, sizeof(spec->stream), "%s", s->stream);
    snprintf(spec->engine, sizeof(spec->engine), "%s", e->name);
    sr_process_vars_t vars = *s;
    vars.engine = e->name;
    vars.port = sr_transcode_port(cfg);
    char output[1024], input[1024], host[80], ffmpeg[1024];
    sr_transcode_expand(e->output, &vars, output, sizeof(output));
    sr_transcode_local_key(cfg, output, spec->out_key, sizeof(spec->out_key));
    if (strcmp(spec->out_key, spec->group) == 0) {
        sr_warn("transcode engine %s skips %s: its output is its input", e->name, spec->group);
        sr_child_spec_free(spec);
        return NULL;
    }
    sr_transcode_host(cfg, host, sizeof(host));
    snprintf(input, sizeof(input), "rtmp://%s:%d/%s?vhost=%s/%s", host, vars.port, s->app, s->vhost, s->stream);
    sr_transcode_ffmpeg(t->ffmpeg, ffmpeg, sizeof(ffmpeg));
    sr_transcode_argv(ffmpeg, e, input, output, &spec->argv);
    sr_transcode_log_path(cfg->ff_log_dir, "transcode", s->vhost, s->app, s->stream, e->name, spec->log_path,
                          sizeof(spec->log_path));
    return spec;
}

void sr_transcode_specs(const sr_server_config_t *cfg, const sr_vhost_config_t *v, const sr_process_vars_t *s,
                        const sr_supervisor_t *sup, sr_child_specs_t *out)
{
    char key[SR_REQUEST_VHOST_MAX + SR_REQUEST_APP_MAX + SR_REQUEST_STREAM_MAX + 3];
    snprintf(key, sizeof(key), "%s/%s/%s", s->vhost, s->app, s->stream);
    if (sr_transcode_is_output(sup, key)) {
        sr_verbose("transcode skips %s: one of our transcoders publishes it", key);
        return;
    }
    for (int i = 0; v->process && i < v->process->transcode_count; i++) {
        const sr_transcode_config_t *t = &v->process->transcodes[i];
        if (!t->is_enabled || !sr_transcode_scope_matches(t->scope, s->app, s->stream)) {
            continue;
        }
        for (int k = 0; k < t->engine_count; k++) {
            sr_child_spec_t *spec = t->engines[k].is_enabled ? sr_transcode_spec(cfg, t, i, &t->engines[k], s) : NULL;
            if (spec) {
                sr_child_specs_push(out, spec);
            }
        }
    }
}
