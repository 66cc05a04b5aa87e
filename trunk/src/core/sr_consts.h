/* SPDX-License-Identifier: MIT */
/*
 * sr_consts.h: defaults shared across layers. Config directives override most of
 * them; these are the values used when a config says nothing (SRS's defaults).
 */
#ifndef SR_CONSTS_H
#define SR_CONSTS_H

#include "sr_time.h"

#define SR_SERVER_NAME "Strand"
#define SR_VERSION_MAJOR 1
#define SR_VERSION_MINOR 0
#define SR_VERSION_REVISION 0
#define SR_VERSION_STRING "1.0.0"

#define SR_HANDSHAKE_TIMEOUT_US (10 * SR_UTIME_S)
#define SR_RECV_TIMEOUT_US (30 * SR_UTIME_S)
#define SR_SEND_TIMEOUT_US (30 * SR_UTIME_S)

#define SR_DEFAULT_RTMP_PORT 1935
#define SR_DEFAULT_CHUNK_SIZE 60000
#define SR_DEFAULT_MAX_CONNECTIONS 1000
#define SR_DEFAULT_VHOST "__defaultVhost__"

#endif
