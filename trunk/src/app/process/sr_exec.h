/* SPDX-License-Identifier: MIT */
/*
 * sr_exec.h: vhost exec { publish CMD ARGS...; } (nginx-rtmp's exec_publish): one
 * command per `publish` line for each published stream, its arguments expanded
 * ([vhost] [app] [stream] [param] [port]), stopped when the stream unpublishes.
 *
 * Pure: builds specs for sr_supervisor, runs nothing.
 */
#ifndef SR_EXEC_H
#define SR_EXEC_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_supervisor.h"
#include "sr_transcode.h"

SR_BEGIN_DECLS

/* Append to out a spec (kind SR_CHILD_EXEC, group vhost/app/stream, engine the line's
 * index) per publish line of v's enabled exec, for the live stream s. */
void sr_exec_specs(const sr_server_config_t *cfg, const sr_vhost_config_t *v, const sr_process_vars_t *s,
                   sr_child_specs_t *out);

SR_END_DECLS

#endif
