/* SPDX-License-Identifier: MIT */
#include "sr_resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sr_error.h"
#include "sr_work.h"

typedef struct sr_resolve_job {
    char host[256];
    char ip[64];
    int gai_rc;
} sr_resolve_job_t;

/* On a worker thread: plain calls on the job's memory only. */
static void sr_resolve_run(void *arg)
{
    sr_resolve_job_t *j = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    j->gai_rc = getaddrinfo(j->host, NULL, &hints, &res);
    if (j->gai_rc != 0) {
        return;
    }
    const struct addrinfo *pick = res;
    for (const struct addrinfo *a = res; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    }
    const void *addr = pick->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)pick->ai_addr)->sin_addr
                                                  : (const void *)&((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
    if (!inet_ntop(pick->ai_family, addr, j->ip, sizeof(j->ip))) {
        j->gai_rc = EAI_FAIL;
    }
    freeaddrinfo(res);
}

int sr_resolve_host(const char *host, char *ip, size_t size)
{
    char bare[256];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        snprintf(bare, sizeof(bare), "%.*s", (int)(n - 2), host + 1);
    } else {
        snprintf(bare, sizeof(bare), "%s", host);
    }
    uint8_t probe[16];
    if (inet_pton(AF_INET, bare, probe) == 1 || inet_pton(AF_INET6, bare, probe) == 1) {
        snprintf(ip, size, "%s", bare);
        return SR_OK;
    }
    sr_resolve_job_t j = {.gai_rc = 0};
    snprintf(j.host, sizeof(j.host), "%s", bare);
    int rc = sr_work_run(sr_resolve_run, &j);
    if (rc != SR_OK) {
        return rc;
    }
    if (j.gai_rc != 0) {
        return sr_err_new(SR_ENOT_FOUND, "resolve %s: %s", bare, gai_strerror(j.gai_rc));
    }
    snprintf(ip, size, "%s", j.ip);
    return SR_OK;
}
