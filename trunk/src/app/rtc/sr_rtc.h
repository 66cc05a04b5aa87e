/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc.h: WebRTC's public face: the rtc_server UDP listener and the WHIP/WHEP HTTP
 * endpoints (SRS's /rtc/v1/whip/ and /rtc/v1/whep/, on the http_api and http_server
 * ports). The rest of app/rtc is behind sr_rtc_session.h.
 */
#ifndef SR_RTC_H
#define SR_RTC_H

#include "sr_core.h"
#include "sr_http_conn.h"
#include "sr_listener.h"

SR_BEGIN_DECLS

/* The rtc_server listener: its UDP address, when enabled. */
extern const sr_listen_proto_t sr_rtc_listen_proto;

/* POST (offer), DELETE (end) and OPTIONS (CORS preflight) of /rtc/v1/whip/ and
 * /rtc/v1/whep/ (and SRS's /rtc/v1/whip-play/ alias of WHEP). -SR_ENOT_FOUND without
 * answering for other paths. May yield. */
int sr_rtc_http_serve(sr_http_ctx_t *ctx);

SR_END_DECLS

#endif
