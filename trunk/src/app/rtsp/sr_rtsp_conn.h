/* SPDX-License-Identifier: MIT */
/*
 * sr_rtsp_conn.h: one RTSP connection (inside app/rtsp): the requests before media
 * flows, and what the publish and play loops share with it. A connection carries one
 * session: its tracks, their transports, and the phase it is in.
 */
#ifndef SR_RTSP_CONN_H
#define SR_RTSP_CONN_H

#include "sr_bytes.h"
#include "sr_consumer.h"
#include "sr_core.h"
#include "sr_request.h"
#include "sr_rtsp_ingest.h"
#include "sr_rtsp_msg.h"
#include "sr_rtsp_track.h"
#include "sr_server.h"
#include "sr_session.h"
#include "sr_st.h"

SR_BEGIN_DECLS

typedef enum sr_rtsp_phase {
    SR_RTSP_PHASE_SETUP = 0, /* OPTIONS, DESCRIBE or ANNOUNCE, SETUP */
    SR_RTSP_PHASE_RECORD,    /* the client sends media */
    SR_RTSP_PHASE_PLAY,      /* we send media */
    SR_RTSP_PHASE_DONE,      /* TEARDOWN or a refusal: close */
} sr_rtsp_phase_t;

typedef struct sr_rtsp_conn {
    sr_server_t *server;
    sr_sock_t *sock;
    sr_io_t *io;
    sr_client_t client;
    sr_request_t req;
    sr_vhost_config_t vhost; /* detached copy, once the URL named it */
    bool has_stream;
    bool is_announced; /* the tracks came from ANNOUNCE (publish), else DESCRIBE (play) */
    char session_id[20];
    sr_rtsp_track_t tracks[SR_RTSP_MAX_TRACKS];
    size_t nb_tracks;
    sr_rtsp_phase_t phase;
    bool is_paused;
    sr_buf_t in;  /* bytes read and not parsed yet */
    sr_buf_t out; /* a reply */
    sr_buf_t sdp;
    char base_url[1024]; /* the DESCRIBE URL: RTP-Info names tracks under it */
    sr_publish_t publish;
    sr_rtsp_ingest_t *ingest;
    sr_play_t play;
    struct sr_rtsp_player *player; /* sr_rtsp_play.c, from PLAY on */
    sr_utime_t last_seen_us;       /* the client's last request, RTCP or RTP */
    uint64_t frames_sent;
} sr_rtsp_conn_t;

/* Read what the client sent (waiting at most timeout_us for some) and handle every
 * complete message: requests are answered, interleaved frames go to the ingest (or
 * are taken as a player's RTCP). -SR_ETIMEOUT when nothing came, the socket's code
 * when it failed. */
int sr_rtsp_conn_read(sr_rtsp_conn_t *c, sr_utime_t timeout_us);
/* Handle the complete messages already in c->in. */
int sr_rtsp_conn_process(sr_rtsp_conn_t *c);

/* The play loop (sr_rtsp_play.c): the consumer's frames as RTP to the player until it
 * leaves, tears down or the stream goes away. */
int sr_rtsp_play_run(sr_rtsp_conn_t *c, sr_consumer_t *consumer);
/* The RTP-Info value of a PLAY reply: each set-up track's URL, first sequence number
 * and RTP time (sr_rtsp_play.c chooses them, per track, at random). */
void sr_rtsp_play_prepare(sr_rtsp_conn_t *c, sr_buf_t *rtp_info);
/* Whether a player can be sent frames of codec (sr_rtsp_play.c): DESCRIBE offers
 * only such tracks. */
bool sr_rtsp_play_can_send(sr_codec_id_t codec);
/* Free what prepare made. */
void sr_rtsp_play_free(sr_rtsp_conn_t *c);

SR_END_DECLS

#endif
