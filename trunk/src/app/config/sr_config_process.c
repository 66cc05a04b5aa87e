/* SPDX-License-Identifier: MIT */
/*
 * sr_config_process.c: transcode, ingest and exec with SRS's syntax. Defaults: ffmpeg
 * from PATH, oformat flv, every codec option left to ffmpeg. Codec names
 * are not checked (the ffmpeg that runs them decides), numbers are: a bitrate that is
 * not a number or a negative size is refused with its file:line, as is an engine with
 * no output.
 */
#include "sr_config_process.h"

#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_log.h"

#define SR_CONFIG_PROCESS_FFMPEG "ffmpeg"

/* Copy n's single argument (dflt when n is absent) into out; refused when it does not fit. */
static int sr_config_process_str(const sr_conf_t *n, const char *dflt, char *out, size_t size)
{
    const char *v = sr_conf_str(n, dflt);
    if (strlen(v) >= size) {
        return sr_err_new(SR_ECONFIG, "%s:%d: %s is longer than %zu bytes", sr_conf_file(n), sr_conf_line(n),
                          sr_conf_name(n), size - 1);
    }
    snprintf(out, size, "%s", v);
    return SR_OK;
}

static int sr_config_process_int(const sr_conf_t *b, const char *name, long max, int *out)
{
    long v = 0;
    int rc = sr_conf_int(sr_conf_get(b, name), 0, 0, max, &v);
    *out = (int)v;
    return rc;
}

/* vfilter/vparams/aparams { k v...; }: each directive becomes "-k" "v"..., in order. */
static int sr_config_process_params(const sr_conf_t *b, const char *name, sr_argv_t *out)
{
    const sr_conf_t *block = sr_conf_get(b, name);
    for (int i = 0; i < sr_conf_child_count(block); i++) {
        const sr_conf_t *n = sr_conf_child_at(block, i);
        if (sr_conf_is_block(n)) {
            return sr_err_new(SR_ECONFIG, "%s:%d: %s { %s } takes values, not a block", sr_conf_file(n),
                              sr_conf_line(n), name, sr_conf_name(n));
        }
        sr_argv_pushf(out, "-%s", sr_conf_name(n));
        for (int a = 0; a < sr_conf_argc(n); a++) {
            sr_argv_push(out, sr_conf_arg(n, a));
        }
    }
    return SR_OK;
}

/* acodec: libfdk_aac is read as ffmpeg's own aac (Debian's ffmpeg is built without it). */
static int sr_config_process_acodec(const sr_conf_t *b, sr_ffmpeg_engine_config_t *e)
{
    const sr_conf_t *n = sr_conf_get(b, "acodec");
    int rc = sr_config_process_str(n, "", e->acodec, sizeof(e->acodec));
    if (rc == SR_OK && strcmp(e->acodec, "libfdk_aac") == 0) {
        sr_warn("config %s:%d: acodec libfdk_aac: this ffmpeg build may lack it, using aac", sr_conf_file(n),
                sr_conf_line(n));
        snprintf(e->acodec, sizeof(e->acodec), "aac");
    }
    return rc;
}

static int sr_config_process_video(const sr_conf_t *b, sr_ffmpeg_engine_config_t *e)
{
    int rc;
    if ((rc = sr_config_process_str(sr_conf_get(b, "vcodec"), "", e->vcodec, sizeof(e->vcodec))) ||
        (rc = sr_config_process_int(b, "vbitrate", 10000000, &e->vbitrate_kbps)) ||
        (rc = sr_conf_double_range(sr_conf_get(b, "vfps"), 0, 0, 1000, &e->vfps)) ||
        (rc = sr_config_process_int(b, "vwidth", 65536, &e->vwidth)) ||
        (rc = sr_config_process_int(b, "vheight", 65536, &e->vheight)) ||
        (rc = sr_config_process_int(b, "vthreads", 1024, &e->vthreads)) ||
        (rc = sr_config_process_str(sr_conf_get(b, "vprofile"), "", e->vprofile, sizeof(e->vprofile))) ||
        (rc = sr_config_process_str(sr_conf_get(b, "vpreset"), "", e->vpreset, sizeof(e->vpreset))) ||
        (rc = sr_config_process_params(b, "vfilter", &e->vfilter))) {
        return rc;
    }
    return sr_config_process_params(b, "vparams", &e->vparams);
}

static int sr_config_process_audio(const sr_conf_t *b, sr_ffmpeg_engine_config_t *e)
{
    int rc;
    if ((rc = sr_config_process_acodec(b, e)) ||
        (rc = sr_config_process_int(b, "abitrate", 100000, &e->abitrate_kbps)) ||
        (rc = sr_config_process_int(b, "asample_rate", 1000000, &e->asample_rate)) ||
        (rc = sr_config_process_int(b, "achannels", 64, &e->achannels))) {
        return rc;
    }
    return sr_config_process_params(b, "aparams", &e->aparams);
}

/* One engine block; is_named: a transcode engine, which must have a name. */
static int sr_config_process_engine(const sr_conf_t *b, bool is_named, sr_ffmpeg_engine_config_t *e)
{
    if (sr_conf_argc(b) > 1 || (is_named && (sr_conf_argc(b) == 0 || !sr_conf_arg(b, 0)[0]))) {
        return sr_err_new(SR_ECONFIG, "%s:%d: engine needs %s name", sr_conf_file(b), sr_conf_line(b),
                          is_named ? "exactly one" : "at most one");
    }
    int rc;
    if ((rc = sr_config_process_str(b, "", e->name, sizeof(e->name))) ||
        (rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &e->is_enabled)) ||
        (rc = sr_config_process_params(b, "perfile", &e->perfile)) ||
        (rc = sr_config_process_str(sr_conf_get(b, "iformat"), "", e->iformat, sizeof(e->iformat))) ||
        (rc = sr_config_process_str(sr_conf_get(b, "oformat"), "flv", e->oformat, sizeof(e->oformat))) ||
        (rc = sr_config_process_video(b, e)) || (rc = sr_config_process_audio(b, e))) {
        return rc;
    }
    const sr_conf_t *out = sr_conf_get(b, "output");
    /* a disabled transcode engine never runs; a disabled ingest engine copies */
    if ((!out || !sr_conf_str(out, "")[0]) && (e->is_enabled || !is_named)) {
        return sr_err_new(SR_ECONFIG, "%s:%d: engine %s has no output", sr_conf_file(b), sr_conf_line(b),
                          e->name[0] ? e->name : "(unnamed)");
    }
    return sr_config_process_str(out, "", e->output, sizeof(e->output));
}

/* Every engine block of b into *engines; names unique when given. */
static int sr_config_process_engines(const sr_conf_t *b, bool is_named, sr_ffmpeg_engine_config_t **engines, int *count)
{
    int total = 0;
    for (const sr_conf_t *n = sr_conf_get(b, "engine"); n; n = sr_conf_next(b, n, "engine")) {
        total++;
    }
    *engines = sr_calloc((size_t)total + 1, sizeof(**engines));
    for (const sr_conf_t *n = sr_conf_get(b, "engine"); n; n = sr_conf_next(b, n, "engine")) {
        sr_ffmpeg_engine_config_t *e = &(*engines)[*count];
        (*count)++; /* counted before resolving: deinit frees what a failed one allocated */
        int rc = sr_config_process_engine(n, is_named, e);
        if (rc != SR_OK) {
            return rc;
        }
        for (int i = 0; e->name[0] && i < *count - 1; i++) {
            if (strcmp((*engines)[i].name, e->name) == 0) {
                return sr_err_new(SR_ECONFIG, "%s:%d: engine %s is defined twice in this block", sr_conf_file(n),
                                  sr_conf_line(n), e->name);
            }
        }
    }
    return SR_OK;
}

static int sr_config_process_transcode(const sr_conf_t *b, sr_transcode_config_t *t)
{
    if (sr_conf_argc(b) > 1) {
        return sr_err_new(SR_ECONFIG, "%s:%d: transcode takes at most one scope (APP or APP/STREAM)", sr_conf_file(b),
                          sr_conf_line(b));
    }
    int rc;
    if ((rc = sr_config_process_str(b, "", t->scope, sizeof(t->scope))) ||
        (rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &t->is_enabled)) ||
        (rc =
             sr_config_process_str(sr_conf_get(b, "ffmpeg"), SR_CONFIG_PROCESS_FFMPEG, t->ffmpeg, sizeof(t->ffmpeg)))) {
        return rc;
    }
    return sr_config_process_engines(b, true, &t->engines, &t->engine_count);
}

static int sr_config_process_input(const sr_conf_t *b, sr_ingest_config_t *g)
{
    const sr_conf_t *in = sr_conf_get(b, "input");
    const sr_conf_t *type = sr_conf_get(in, "type");
    const char *t = sr_conf_str(type, "file");
    if (strcmp(t, "file") != 0 && strcmp(t, "stream") != 0) {
        return sr_err_new(SR_ECONFIG, "%s:%d: ingest input type must be file or stream, got '%s'", sr_conf_file(type),
                          sr_conf_line(type), t);
    }
    g->is_file = strcmp(t, "file") == 0;
    const sr_conf_t *url = sr_conf_get(in, "url");
    if (!url || !sr_conf_str(url, "")[0]) {
        return sr_err_new(SR_ECONFIG, "%s:%d: ingest %s has no input url", sr_conf_file(in ? in : b),
                          sr_conf_line(in ? in : b), g->id);
    }
    return sr_config_process_str(url, "", g->input_url, sizeof(g->input_url));
}

static int sr_config_process_ingest(const sr_conf_t *b, sr_ingest_config_t *g)
{
    if (sr_conf_argc(b) != 1 || !sr_conf_arg(b, 0)[0]) {
        return sr_err_new(SR_ECONFIG, "%s:%d: ingest needs exactly one id", sr_conf_file(b), sr_conf_line(b));
    }
    int rc;
    if ((rc = sr_config_process_str(b, "", g->id, sizeof(g->id))) ||
        (rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &g->is_enabled)) ||
        (rc =
             sr_config_process_str(sr_conf_get(b, "ffmpeg"), SR_CONFIG_PROCESS_FFMPEG, g->ffmpeg, sizeof(g->ffmpeg))) ||
        (rc = sr_config_process_input(b, g)) ||
        (rc = sr_config_process_engines(b, false, &g->engines, &g->engine_count))) {
        return rc;
    }
    if (g->engine_count == 0) {
        sr_warn("config %s:%d: ingest %s has no engine, nothing to run", sr_conf_file(b), sr_conf_line(b), g->id);
    }
    return SR_OK;
}

static int sr_config_process_exec(const sr_conf_t *b, sr_exec_config_t *x)
{
    int rc = sr_conf_bool(sr_conf_get(b, "enabled"), false, &x->is_enabled);
    int total = 0;
    for (const sr_conf_t *n = sr_conf_get(b, "publish"); n; n = sr_conf_next(b, n, "publish")) {
        total++;
    }
    x->publish = sr_calloc((size_t)total + 1, sizeof(*x->publish));
    for (const sr_conf_t *n = sr_conf_get(b, "publish"); rc == SR_OK && n; n = sr_conf_next(b, n, "publish")) {
        if (sr_conf_argc(n) == 0 || !sr_conf_arg(n, 0)[0]) {
            return sr_err_new(SR_ECONFIG, "%s:%d: exec publish needs a command", sr_conf_file(n), sr_conf_line(n));
        }
        sr_argv_t *a = &x->publish[x->publish_count++];
        for (int i = 0; i < sr_conf_argc(n); i++) {
            sr_argv_push(a, sr_conf_arg(n, i));
        }
    }
    return rc;
}

/* Each block named name of vhost, resolved by fn into a new array of size bytes each. */
static int sr_config_process_blocks(const sr_conf_t *vhost, const char *name, size_t size, void **items, int *count,
                                    int (*fn)(const sr_conf_t *b, void *item))
{
    int total = 0;
    for (const sr_conf_t *n = sr_conf_get(vhost, name); n; n = sr_conf_next(vhost, n, name)) {
        total++;
    }
    *items = sr_calloc((size_t)total + 1, size);
    for (const sr_conf_t *n = sr_conf_get(vhost, name); n; n = sr_conf_next(vhost, n, name)) {
        int rc = fn(n, (char *)*items + (size_t)(*count)++ * size);
        if (rc != SR_OK) {
            return rc;
        }
    }
    return SR_OK;
}

static int sr_config_process_transcode_fn(const sr_conf_t *b, void *item)
{
    return sr_config_process_transcode(b, item);
}

static int sr_config_process_ingest_fn(const sr_conf_t *b, void *item)
{
    return sr_config_process_ingest(b, item);
}

static int sr_config_process_unique_ingests(const sr_conf_t *vhost, const sr_process_config_t *c)
{
    for (int i = 0; i < c->ingest_count; i++) {
        for (int j = 0; j < i; j++) {
            if (strcmp(c->ingests[i].id, c->ingests[j].id) == 0) {
                return sr_err_new(SR_ECONFIG, "%s:%d: ingest %s is defined twice in vhost %s", sr_conf_file(vhost),
                                  sr_conf_line(vhost), c->ingests[i].id, sr_conf_arg(vhost, 0));
            }
        }
    }
    return SR_OK;
}

int sr_config_process_resolve_vhost(const sr_conf_t *vhost, sr_process_config_t *out)
{
    memset(out, 0, sizeof(*out));
    void *items = NULL;
    int rc = sr_config_process_blocks(vhost, "transcode", sizeof(sr_transcode_config_t), &items, &out->transcode_count,
                                      sr_config_process_transcode_fn);
    out->transcodes = items;
    if (rc == SR_OK) {
        rc = sr_config_process_blocks(vhost, "ingest", sizeof(sr_ingest_config_t), &items, &out->ingest_count,
                                      sr_config_process_ingest_fn);
        out->ingests = items;
    }
    rc = rc ? rc : sr_config_process_unique_ingests(vhost, out);
    return rc ? rc : sr_config_process_exec(sr_conf_get(vhost, "exec"), &out->exec);
}

static void sr_config_process_engines_free(sr_ffmpeg_engine_config_t *engines, int count)
{
    for (int i = 0; i < count; i++) {
        sr_argv_deinit(&engines[i].perfile);
        sr_argv_deinit(&engines[i].vfilter);
        sr_argv_deinit(&engines[i].vparams);
        sr_argv_deinit(&engines[i].aparams);
    }
    sr_free(engines);
}

void sr_config_process_deinit(sr_process_config_t *c)
{
    for (int i = 0; i < c->transcode_count; i++) {
        sr_config_process_engines_free(c->transcodes[i].engines, c->transcodes[i].engine_count);
    }
    for (int i = 0; i < c->ingest_count; i++) {
        sr_config_process_engines_free(c->ingests[i].engines, c->ingests[i].engine_count);
    }
    for (int i = 0; i < c->exec.publish_count; i++) {
        sr_argv_deinit(&c->exec.publish[i]);
    }
    sr_free(c->transcodes);
    sr_free(c->ingests);
    sr_free(c->exec.publish);
    memset(c, 0, sizeof(*c));
}
