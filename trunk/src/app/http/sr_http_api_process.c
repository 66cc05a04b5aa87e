/* SPDX-License-Identifier: MIT */
/*
 * sr_http_api_process.c: GET /api/v1/transcoders, /api/v1/ingesters and
 * /api/v1/execs (Strand's own; SRS has no such endpoints): the children the server
 * runs for transcode, ingest and exec, with their pid, state, restarts and log file,
 * so an operator can tell a transcoder that keeps failing from one that runs. Part of
 * the HTTP API module (sr_http_api.c routes here).
 */
#include <string.h>

#include "sr_http_api_internal.h"
#include "sr_jobs.h"
#include "sr_json.h"
#include "sr_server.h"

typedef struct sr_http_api_children {
    sr_json_writer_t *w;
    sr_child_kind_t kind;
} sr_http_api_children_t;

static void sr_http_api_child(void *arg, const sr_child_info_t *c)
{
    sr_http_api_children_t *a = arg;
    const sr_child_spec_t *sp = c->spec;
    if (sp->kind != a->kind) {
        return;
    }
    sr_json_writer_t *w = a->w;
    sr_json_writer_object_start(w);
    sr_json_writer_kv_int(w, "id", c->id);
    sr_json_writer_kv_string(w, "vhost", sp->vhost);
    sr_json_writer_kv_string(w, "app", sp->app);
    sr_json_writer_kv_string(w, "stream", sp->stream);
    sr_json_writer_kv_string(w, "engine", sp->engine);
    sr_json_writer_kv_int(w, "pid", c->pid);
    sr_json_writer_kv_string(w, "state", sr_child_state_name(c->state));
    sr_json_writer_kv_int(w, "restarts", c->restarts);
    sr_json_writer_kv_int(w, "started_ms", c->started_ms);
    sr_json_writer_kv_string(w, "output", sp->out_key);
    sr_json_writer_kv_string(w, "log", sp->log_path);
    sr_json_writer_kv_string(w, "cmdline", c->cmdline);
    sr_json_writer_object_end(w);
}

/* Write member: [every child of kind] into the open reply object. */
static void sr_http_api_children(sr_json_writer_t *w, sr_server_t *s, const char *member, sr_child_kind_t kind)
{
    sr_http_api_children_t a = {w, kind};
    const sr_supervisor_t *sup = sr_jobs_supervisor(sr_server_jobs(s));
    sr_json_writer_key(w, member);
    sr_json_writer_array_start(w);
    if (sup) {
        sr_supervisor_foreach(sup, sr_http_api_child, &a);
    }
    sr_json_writer_array_end(w);
}

void sr_http_api__write_transcoders(sr_json_writer_t *w, sr_server_t *s)
{
    sr_http_api_children(w, s, "transcoders", SR_CHILD_TRANSCODE);
}

void sr_http_api__write_ingesters(sr_json_writer_t *w, sr_server_t *s)
{
    sr_http_api_children(w, s, "ingesters", SR_CHILD_INGEST);
}

void sr_http_api__write_execs(sr_json_writer_t *w, sr_server_t *s)
{
    sr_http_api_children(w, s, "execs", SR_CHILD_EXEC);
}
