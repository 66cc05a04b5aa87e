/* SPDX-License-Identifier: MIT */
#include "sr_redis.h"

#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "sr_alloc.h"
#include "sr_error.h"
#include "sr_resolve.h"
#include "sr_st.h"
#include "sr_url.h"

#define SR_REDIS_DEFAULT_PORT 6379
#define SR_REDIS_READ_BYTES 4096

struct sr_redis {
    sr_sock_t *sock;
    redisReader *reader;
};

void sr_redis_close(sr_redis_t *r)
{
    if (r) {
        sr_sock_close(r->sock);
        if (r->reader) {
            redisReaderFree(r->reader);
        }
        sr_free(r);
    }
}

/* What a reply says, into out; an error reply is -SR_EREDIS. */
static int sr_redis_take_reply(const redisReply *reply, char *out, size_t out_size, bool *is_nil)
{
    if (is_nil) {
        *is_nil = reply->type == REDIS_REPLY_NIL;
    }
    if (out_size > 0) {
        out[0] = '\0';
    }
    switch (reply->type) {
    case REDIS_REPLY_ERROR:
        return sr_err_new(SR_EREDIS, "redis: %.*s", (int)reply->len, reply->str);
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        snprintf(out, out_size, "%.*s", (int)reply->len, reply->str);
        return SR_OK;
    case REDIS_REPLY_INTEGER:
        snprintf(out, out_size, "%lld", (long long)reply->integer);
        return SR_OK;
    default:
        return SR_OK; /* nil, or an array nobody here asks for */
    }
}

int sr_redis_command(sr_redis_t *r, int argc, const char **argv, sr_utime_t timeout_us, char *out, size_t out_size,
                     bool *is_nil)
{
    char *cmd = NULL;
    int len = redisFormatCommandArgv(&cmd, argc, argv, NULL);
    if (len < 0) {
        return sr_err_new(SR_ENOMEM, "redis: formatting %s", argc > 0 ? argv[0] : "");
    }
    sr_sock_set_timeouts(r->sock, timeout_us, timeout_us);
    int rc = sr_io_write(sr_sock_io(r->sock), cmd, (size_t)len);
    redisFreeCommand(cmd);
    void *reply = NULL;
    while (rc == SR_OK && !reply) {
        if (redisReaderGetReply(r->reader, &reply) != REDIS_OK) {
            return sr_err_new(SR_EREDIS, "redis: malformed reply: %s", r->reader->errstr);
        }
        if (reply) {
            break;
        }
        char buf[SR_REDIS_READ_BYTES];
        size_t n = 0;
        if ((rc = sr_io_read(sr_sock_io(r->sock), buf, sizeof(buf), &n)) == SR_OK) {
            redisReaderFeed(r->reader, buf, n);
        }
    }
    if (rc != SR_OK) {
        return sr_err_wrap(rc, "redis %s", argc > 0 ? argv[0] : "");
    }
    rc = sr_redis_take_reply(reply, out, out_size, is_nil);
    freeReplyObject(reply);
    return rc;
}

int sr_redis_connect(const char *url, sr_utime_t timeout_us, sr_redis_t **out)
{
    *out = NULL;
    sr_url_t u;
    if (sr_url_parse(url, &u) != SR_OK || strcmp(u.scheme, "redis") != 0 || !u.host[0]) {
        return sr_err_new(SR_EINVAL, "'%s' is not redis://HOST[:PORT][/DB]", url);
    }
    char ip[64];
    int rc = sr_resolve_host(u.host, ip, sizeof(ip));
    if (rc != SR_OK) {
        return rc;
    }
    sr_redis_t *r = SR_NEW(sr_redis_t);
    r->reader = redisReaderCreate();
    rc = sr_sock_connect_tcp(ip, u.port ? u.port : SR_REDIS_DEFAULT_PORT, timeout_us, &r->sock);
    if (rc == SR_OK && u.path[0] && strcmp(u.path, "0") != 0) {
        const char *argv[] = {"SELECT", u.path};
        rc = sr_redis_command(r, 2, argv, timeout_us, NULL, 0, NULL);
    }
    if (rc != SR_OK) {
        sr_redis_close(r);
        return sr_err_wrap(rc, "redis %s", url);
    }
    *out = r;
    return SR_OK;
}
