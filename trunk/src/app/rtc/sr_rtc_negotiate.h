/* SPDX-License-Identifier: MIT */
/*
 * sr_rtc_negotiate.h: the SDP offer/answer of a WHIP or WHEP session (RFC 8829 JSEP as
 * WHIP/WHEP use it). From the offer: the peer's ICE ufrag and DTLS fingerprint, one
 * audio track (Opus) and one video track (H.264, packetization-mode 1), their payload
 * types, SSRCs and the transport-wide-cc extension. The answer: ICE-lite, our ufrag,
 * password and fingerprint, setup passive (or active), BUNDLE, rtcp-mux, our host
 * candidates, and each accepted section in the opposite direction; other sections
 * (data channels, a second video) are rejected with port 0.
 */
#ifndef SR_RTC_NEGOTIATE_H
#define SR_RTC_NEGOTIATE_H

#include "sr_core.h"
#include "sr_rtc_session.h"

SR_BEGIN_DECLS

/* Negotiate offer[0..len) for s (its role, vhost and credentials): fill s's tracks,
 * remote ufrag and fingerprint, and write the answer into answer[0..cap) with *written.
 * host_ip is the address the HTTP request came to (a candidate with
 * api_as_candidates). -SR_EFORMAT for an offer that does not parse or lacks ICE
 * credentials or a fingerprint; -SR_EUNSUPPORTED when no section carries H.264 or
 * Opus in a direction that fits the role. */
int sr_rtc_negotiate(sr_rtc_session_t *s, const char *offer, size_t len, const char *host_ip, char *answer, size_t cap,
                     size_t *written);

SR_END_DECLS

#endif
