/* SPDX-License-Identifier: MIT */
/*
 * sr_heartbeat.c: the heartbeat coroutine (see sr_heartbeat.h). One POST per beat with
 * a timeout of at most the interval (so beats never pile up) and at most
 * SR_HOOK_TIMEOUT_US; the answer's status is all that is looked at, as SRS does.
 */
#include "sr_heartbeat.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_http.h"
#include "sr_http_conn.h"
#include "sr_http_hooks.h"
#include "sr_json.h"
#include "sr_log.h"
#include "sr_server.h"
#include "sr_st.h"

/* Failures after the first are logged at most this often. */
#define SR_HEARTBEAT_LOG_EVERY_US (60 * SR_UTIME_S)
/* How long a disabled heartbeat sleeps between looks at the config (a reload wakes it). */
#define SR_HEARTBEAT_IDLE_US (10 * SR_UTIME_S)

struct sr_heartbeat {
    struct sr_server *server;
    sr_co_t *co;
    sr_cond_t *wake;
    uint64_t beats, failures;
    uint64_t failing;       /* failures in a row */
    sr_utime_t next_log_us; /* of a failure, rate-limited */
};

void sr_heartbeat_local_ip(char *out, size_t size)
{
    struct ifaddrs *list = NULL;
    snprintf(out, size, "%s", "");
    if (getifaddrs(&list) != 0) {
        return;
    }
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (i->ifa_flags & IFF_UP) &&
            !(i->ifa_flags & IFF_LOOPBACK)) {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr, text, sizeof(text));
            snprintf(out, size, "%s", text);
            break;
        }
    }
    freeifaddrs(list);
}

int sr_heartbeat_body(struct sr_server *s, const sr_heartbeat_config_t *c, const char *ip, sr_buf_t *out)
{
    sr_json_writer_t w;
    sr_json_writer_init(&w, out);
    sr_json_writer_object_start(&w);
    sr_json_writer_kv_string(&w, "device_id", c->device_id);
    sr_json_writer_kv_string(&w, "ip", ip);
    int rc = c->is_summaries ? sr_http_api_write_summaries(&w, s, "summaries") : SR_OK;
    sr_json_writer_object_end(&w);
    if (rc == SR_OK && sr_json_writer_finish(&w) != SR_OK) {
        rc = sr_err_new(SR_EJSON, "heartbeat body");
    }
    return rc;
}

/* Log a failed beat: the first of a run at once, then at most once a minute. */
static void sr_heartbeat_failed(sr_heartbeat_t *h, const char *url, const char *why)
{
    h->failures++;
    h->failing++;
    sr_utime_t now = sr_time_mono_us();
    if (h->failing == 1 || now >= h->next_log_us) {
        sr_warn("heartbeat to %s failed (%llu in a row, %llu in all): %s", url, (unsigned long long)h->failing,
                (unsigned long long)h->failures, why);
        h->next_log_us = now + SR_HEARTBEAT_LOG_EVERY_US;
    }
}

/* One beat with c (a copy: the config may be replaced while this yields). May yield. */
static int sr_heartbeat_beat(sr_heartbeat_t *h, const sr_heartbeat_config_t *c)
{
    char ip[INET_ADDRSTRLEN];
    sr_heartbeat_local_ip(ip, sizeof(ip));
    sr_buf_t body, answer;
    sr_buf_init(&body);
    sr_buf_init(&answer);
    int status = 0;
    int rc = sr_heartbeat_body(h->server, c, ip, &body);
    sr_utime_t timeout_us = SR_MIN((sr_utime_t)(c->interval_s * SR_UTIME_S), SR_HOOK_TIMEOUT_US);
    if (rc == SR_OK) {
        rc = sr_http_client_request("POST", c->url, "application/json", body.data, body.len, timeout_us, &status,
                                    &answer);
    }
    if (sr_err_is_interrupted(rc)) {
        /* stopping: nothing to report */
    } else if (rc != SR_OK) {
        sr_heartbeat_failed(h, c->url, sr_err_trail());
    } else if (status < 200 || status > 299) {
        char why[32];
        snprintf(why, sizeof(why), "HTTP status %d", status);
        sr_heartbeat_failed(h, c->url, why);
    } else {
        if (h->failing > 0) {
            sr_trace("heartbeat to %s works again after %llu failures", c->url, (unsigned long long)h->failing);
        }
        h->failing = 0;
        h->beats++;
        sr_info("heartbeat %llu to %s: %d", (unsigned long long)h->beats, c->url, status);
    }
    sr_err_clear();
    sr_buf_deinit(&body);
    sr_buf_deinit(&answer);
    return sr_err_is_interrupted(rc) ? rc : SR_OK;
}

static void sr_heartbeat_cycle(void *arg)
{
    sr_heartbeat_t *h = arg;
    while (sr_co_pull() == SR_OK) {
        sr_heartbeat_config_t c = sr_server_config(h->server)->heartbeat; /* a copy: beats yield */
        if (!c.is_enabled) {
            sr_cond_timedwait(h->wake, SR_HEARTBEAT_IDLE_US);
            continue;
        }
        sr_utime_t next_us = sr_time_mono_us() + (sr_utime_t)(c.interval_s * SR_UTIME_S);
        if (sr_heartbeat_beat(h, &c) != SR_OK) {
            break;
        }
        sr_utime_t now = sr_time_mono_us();
        if (now < next_us && sr_err_is_interrupted(sr_cond_timedwait(h->wake, next_us - now))) {
            break;
        }
    }
}

sr_heartbeat_t *sr_heartbeat_start(struct sr_server *s)
{
    sr_heartbeat_t *h = SR_NEW(sr_heartbeat_t);
    h->server = s;
    h->wake = sr_cond_new();
    h->co = sr_co_start(sr_heartbeat_cycle, h, ""); /* its own cid: its lines are its story */
    return h;
}

void sr_heartbeat_reload(sr_heartbeat_t *h)
{
    if (h) {
        sr_cond_signal(h->wake);
    }
}

void sr_heartbeat_stop(sr_heartbeat_t *h)
{
    if (!h) {
        return;
    }
    sr_co_stop(h->co);
    sr_cond_free(h->wake);
    if (h->beats || h->failures) {
        sr_trace("heartbeat stopped: %llu sent, %llu failed", (unsigned long long)h->beats,
                 (unsigned long long)h->failures);
    }
    sr_free(h);
}
