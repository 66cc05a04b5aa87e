/* SPDX-License-Identifier: MIT */
/*
 * sr_transcode.h: vhost transcode { } as ffmpeg children: for a live stream, one
 * command line per enabled engine of every transcode block whose scope matches it
 * (none, its app, or app/stream), reading the stream back over RTMP from this server
 * and publishing the engine's output. Also the pieces ingest and exec share: output
 * templates, ffmpeg codec options, log file names, and which local stream an output
 * URL publishes to (the loop guard).
 *
 * Everything here is pure: it builds specs for sr_supervisor, it runs nothing.
 */
#ifndef SR_TRANSCODE_H
#define SR_TRANSCODE_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_process.h"
#include "sr_supervisor.h"

SR_BEGIN_DECLS

/* The values of a template's variables; NULL strings expand to "". */
typedef struct sr_process_vars {
    const char *vhost;
    const char *app;
    const char *stream;
    const char *engine;
    const char *param; /* the publisher's query, "?a=1" or "" */
    int port;          /* the server's first RTMP port */
} sr_process_vars_t;

/* Expand [vhost] [app] [stream] [engine] [port] [param] of tmpl into out (cut to size - 1
 * bytes, NUL-terminated); other text, unknown brackets included, is copied. */
void sr_transcode_expand(const char *tmpl, const sr_process_vars_t *v, char *out, size_t size);

/* Append e's video and audio options: [vfilter] -vcodec X -b:v Nk -r F -s WxH -profile:v P
 * -preset P -threads N [vparams] -acodec Y -b:a Nk -ar R -ac C [aparams], each only when
 * set; vcodec copy gives only -vcodec copy, vn only -vn (likewise acodec copy / an).
 * is_copy (a disabled ingest engine): -vcodec copy -acodec copy. */
void sr_transcode_codec_args(const sr_ffmpeg_engine_config_t *e, bool is_copy, sr_argv_t *out);
/* The whole command line of a transcode engine: ffmpeg [perfile] -f IFORMAT (flv unless
 * set; none for "off") -i input [codec args] -f OFORMAT -y output. */
void sr_transcode_argv(const char *ffmpeg, const sr_ffmpeg_engine_config_t *e, const char *input, const char *output,
                       sr_argv_t *out);

/* ff_log_dir/ffmpeg-KIND-VHOST-APP-STREAM-ENGINE.log into out, each name with bytes
 * other than [A-Za-z0-9._-] made '_' (a stream name cannot leave the directory); ""
 * when dir is /dev/null (discard). */
void sr_transcode_log_path(const char *dir, const char *kind, const char *vhost, const char *app, const char *stream,
                           const char *engine, char *out, size_t size);

/* "vhost/app/stream" of the stream url (rtmp://HOST[:PORT]/APP[?vhost=V]/STREAM) would
 * publish on this server (its host is a loopback or listen address, its port one of
 * cfg's RTMP ports; the vhost resolved like a client's), else "". */
void sr_transcode_local_key(const sr_server_config_t *cfg, const char *url, char *out, size_t size);

/* The first RTMP port, and the host its children reach it on (127.0.0.1, or the
 * first listen address when it is a specific one). */
int sr_transcode_port(const sr_server_config_t *cfg);
void sr_transcode_host(const sr_server_config_t *cfg, char *out, size_t size);

/* The ffmpeg to run: configured, except that SRS's bundled path (a path ending in
 * /ffmpeg that is not there) falls back to the ffmpeg in PATH. */
void sr_transcode_ffmpeg(const char *configured, char *out, size_t size);

/* Whether one of the transcoders in sup (a stopping one too) publishes the stream key
 * ("vhost/app/stream"). */
bool sr_transcode_is_output(const sr_supervisor_t *sup, const char *key);

/* Append to out a spec per transcode engine v wants for the live stream s (its vhost,
 * app, stream, param; port ignored): kind SR_CHILD_TRANSCODE, group vhost/app/stream.
 * The loop guard: nothing for a stream one of the transcoders in sup publishes, and
 * no engine whose output is s itself. */
void sr_transcode_specs(const sr_server_config_t *cfg, const sr_vhost_config_t *v, const sr_process_vars_t *s,
                        const sr_supervisor_t *sup, sr_child_specs_t *out);

SR_END_DECLS

#endif
