/* SPDX-License-Identifier: MIT */
/*
 * sr_server_urls.c: the lines a first-time user reads at start-up: where to publish
 * (RTMP, and what to type into OBS) and where to watch (RTMP, HTTP-FLV, HLS, the
 * players page, the API), with this machine's address and the configured ports, and
 * the TLS twins (rtmps://, https://) when they are enabled.
 */
#include "sr_server.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "sr_consts.h"
#include "sr_log.h"

void sr_server_host_ip(char *out, size_t size)
{
    snprintf(out, size, "127.0.0.1");
    struct ifaddrs *all = NULL;
    if (getifaddrs(&all) != 0) {
        return;
    }
    for (struct ifaddrs *i = all; i; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP) &&
            !(i->ifa_flags & IFF_LOOPBACK)) {
            inet_ntop(AF_INET, &((const struct sockaddr_in *)i->ifa_addr)->sin_addr, out, (socklen_t)size);
            break;
        }
    }
    freeifaddrs(all);
}

void sr_server_log_urls(const sr_server_config_t *cfg)
{
    char host[64];
    sr_server_host_ip(host, sizeof(host));
    const sr_vhost_config_t *v = sr_server_config_vhost_exact(cfg, SR_DEFAULT_VHOST);
    if (cfg->listen_count > 0) {
        int port = cfg->listens[0].port;
        sr_trace("publish: rtmp://%s:%d/live/livestream (OBS: server rtmp://%s:%d/live, stream key livestream, "
                 "keyframe interval 2 s)",
                 host, port, host, port);
        sr_trace("watch:   rtmp://%s:%d/live/livestream", host, port);
    }
    if (cfg->rtmps.is_enabled) {
        sr_trace("publish: rtmps://%s:%d/live/livestream (certificate %s)", host, cfg->rtmps.addr.port,
                 cfg->rtmps.cert);
    }
    if (cfg->srt_server.is_enabled && v && v->is_enabled && v->srt.is_enabled) {
        int port = cfg->srt_server.addr.port;
        sr_trace("publish: srt://%s:%d?streamid=#!::r=live/livestream,m=publish", host, port);
        sr_trace("watch:   srt://%s:%d?streamid=#!::r=live/livestream,m=request", host, port);
    }
    if (cfg->rtsp_server.is_enabled && v && v->is_enabled) {
        sr_trace("publish: rtsp://%s:%d/live/livestream (ANNOUNCE/RECORD, TCP or UDP)", host,
                 cfg->rtsp_server.addr.port);
        sr_trace("watch:   rtsp://%s:%d/live/livestream", host, cfg->rtsp_server.addr.port);
    }
    if (cfg->http_server.is_enabled) {
        int port = cfg->http_server.addr.port;
        if (v && v->is_enabled && v->http_remux.is_enabled) {
            sr_trace("watch:   http://%s:%d/live/livestream.flv", host, port);
        }
        if (v && v->is_enabled && v->hls && v->hls->is_enabled) {
            sr_trace("watch:   http://%s:%d/live/livestream.m3u8 (files in %s)", host, port, v->hls->path);
        }
        sr_trace("players: http://%s:%d/players/", host, port);
    }
    if (cfg->http_server.https.is_enabled) {
        int port = cfg->http_server.https.addr.port;
        if (v && v->is_enabled && v->http_remux.is_enabled) {
            sr_trace("watch:   https://%s:%d/live/livestream.flv", host, port);
        }
        sr_trace("players: https://%s:%d/players/ (certificate %s)", host, port, cfg->http_server.https.cert);
    }
    if (cfg->http_api.is_enabled) {
        sr_trace("api:     http://%s:%d/api/v1/streams", host, cfg->http_api.addr.port);
    }
    if (cfg->http_api.https.is_enabled) {
        sr_trace("api:     https://%s:%d/api/v1/streams", host, cfg->http_api.https.addr.port);
    }
    if (cfg->exporter.is_enabled) {
        sr_trace("metrics: http://%s:%d/metrics", host, cfg->exporter.addr.port);
    }
}
