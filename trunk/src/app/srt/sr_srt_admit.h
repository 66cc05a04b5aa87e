/* SPDX-License-Identifier: MIT */
/*
 * sr_srt_admit.h: which SRT callers the server serves, judged twice by one rule
 * (sr_srt_admit_judge): at handshake time by the listener, so that a caller whose
 * stream id does not parse, whose vhost does not exist, is disabled or has no
 * srt { enabled on; } is refused with a reject code it sees (sr_srt.h); and again by
 * the connection on the event loop from the live config, which stays the authority
 * (a reload may come in between; the hooks follow there).
 *
 * The handshake check runs on libsrt's thread, so it reads a snapshot of the few
 * settings it needs (default_app, each vhost's name and switches), built on the event
 * loop at start and on every reload and swapped under a mutex. It never reads the
 * config, the source registry or anything else of the loop.
 *
 * Not here: the busy check and the hooks, which need the loop (the session layer does
 * them). Strand has no per-app allow list (refer/security) yet, so an app is never
 * refused at handshake time; that check would be one more rule in sr_srt_admit_judge.
 */
#ifndef SR_SRT_ADMIT_H
#define SR_SRT_ADMIT_H

#include "sr_config_server.h"
#include "sr_core.h"
#include "sr_srt.h"
#include "sr_srt_streamid.h"

SR_BEGIN_DECLS

/* How one vhost serves SRT. */
typedef struct sr_srt_admit_vhost {
    const char *name; /* borrowed from the lookup's storage */
    bool is_enabled;
    bool is_srt_enabled;
} sr_srt_admit_vhost_t;

/* The vhost that name resolves to (exactly, else __defaultVhost__) into *out; false when
 * there is none. */
typedef bool (*sr_srt_admit_lookup_fn)(const void *arg, const char *name, sr_srt_admit_vhost_t *out);

/* Judge the stream id id (NUL-terminated): parse it (default_app fills a missing app)
 * into *sid and find its vhost with lookup(arg) into *v. Returns 0 when the vhost serves
 * SRT, else SR_SRT_REJECT_BAD_REQUEST (no stream named), SR_SRT_REJECT_NOT_FOUND (no
 * such vhost) or SR_SRT_REJECT_FORBIDDEN (vhost disabled or without SRT), with the
 * reason in why. Pure: no lock, no log. */
int sr_srt_admit_judge(const char *id, const char *default_app, sr_srt_admit_lookup_fn lookup, const void *arg,
                       sr_srt_streamid_t *sid, sr_srt_admit_vhost_t *v, char *why, size_t why_size);
/* sr_srt_admit_lookup_fn over a live config (arg: const sr_server_config_t *). */
bool sr_srt_admit_lookup_config(const void *arg, const char *name, sr_srt_admit_vhost_t *out);

typedef struct sr_srt_admit sr_srt_admit_t;

/* A handshake gate with the snapshot of c. Free with sr_srt_admit_free. */
sr_srt_admit_t *sr_srt_admit_new(const sr_server_config_t *c);
/* Replace the snapshot with c's (event loop; start and reload). */
void sr_srt_admit_update(sr_srt_admit_t *a, const sr_server_config_t *c);
/* Free a; no gate call may be running (close the listener first). NULL ok. */
void sr_srt_admit_free(sr_srt_admit_t *a);
/* The gate (sr_srt_gate_fn, arg: sr_srt_admit_t *): sr_srt_admit_judge on the snapshot.
 * Any thread. */
int sr_srt_admit_check(void *arg, const sr_srt_caller_t *caller, char *why, size_t why_size);

SR_END_DECLS

#endif
