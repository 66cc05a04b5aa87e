#!/bin/sh
# SPDX-License-Identifier: MIT
#
# build.sh OBJS_DIR: build every libFuzzer harness in trunk/utest/fuzz (STYLE 10) with
# clang -fsanitize=fuzzer,address,undefined into OBJS_DIR/fuzz/fuzz_<name>. Each harness
# is linked with only the core/kernel/protocol sources its parser needs (no ST, no app).
# Needs clang with libFuzzer (Debian: clang and libclang-rt-dev). CC=... picks another clang.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 OBJS_DIR" >&2
    exit 2
fi
mkdir -p "$1/fuzz"
out=$(cd "$1/fuzz" && pwd)
cd "$(dirname "$0")/../../.."
cc=${CC:-clang}
case "$cc" in *clang*) ;; *) cc=clang ;; esac # libFuzzer is clang-only; ignore CC=gcc
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "build.sh: $cc not found (apt-get install clang libclang-rt-dev)" >&2
    exit 1
fi

S=trunk/src
CFLAGS="-std=gnu11 -D_GNU_SOURCE -DSR_DEBUG=1 -g -O1 -fno-omit-frame-pointer
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
    -I$S/core -I$S/kernel -I$S/protocol"

CORE="$S/core/sr_alloc.c $S/core/sr_bytes.c $S/core/sr_error.c $S/core/sr_context.c"
AMF0="$CORE $S/kernel/sr_amf0.c"
IO="$CORE $S/kernel/sr_payload.c $S/protocol/sr_io.c"
CODEC="$CORE $S/kernel/sr_bits.c $S/kernel/sr_avc.c $S/kernel/sr_hevc.c $S/kernel/sr_aac.c $S/kernel/sr_codec.c
    $S/kernel/sr_flv.c $S/kernel/sr_annexb.c $S/kernel/sr_codec_record.c $S/kernel/sr_aac_adts.c $S/kernel/sr_opus.c
    $S/kernel/sr_codec_fmtp.c $S/core/sr_base64.c"
SSL_LIBS=$(pkg-config --libs openssl 2>/dev/null || echo "-lssl -lcrypto")

# build NAME "SOURCES" "LIBS"
build() {
    echo "CC    fuzz_$1"
    # shellcheck disable=SC2086
    $cc $CFLAGS -o "$out/fuzz_$1" "trunk/utest/fuzz/fuzz_$1.c" $2 $3 -lm
}

build amf0 "$AMF0" ""
build rtmp_command "$AMF0 $S/protocol/sr_rtmp_command.c" ""
build rtmp_chunk "$IO $S/protocol/sr_rtmp_chunk.c $S/protocol/sr_rtmp_chunk_writer.c $S/protocol/sr_rtmp_control.c" ""
build rtmp_handshake "$IO $S/core/sr_time.c $S/protocol/sr_rtmp_handshake.c" "$SSL_LIBS"
# the config harness sandboxes `include` by wrapping fopen and realpath (see the harness)
build config "$CORE $S/core/sr_config.c $S/core/sr_config_get.c" "-Wl,--wrap=fopen,--wrap=realpath"
build json "$CORE $S/core/sr_json_parse.c $S/core/sr_json_writer.c" ""
build http_request "$IO $S/protocol/sr_http_request.c" "-lhttp_parser"
build url "$IO $S/core/sr_url.c $S/protocol/sr_http_request.c" "-lhttp_parser"
build codec "$CODEC" ""
build annexb "$CODEC" ""
build sdp_fmtp "$CODEC" ""
build srt_streamid "$CORE $S/protocol/sr_srt_streamid.c" ""
build cidr "$CORE $S/core/sr_cidr.c" ""
build stun "$CORE $S/protocol/sr_stun.c" "$SSL_LIBS"
build rtsp_msg "$CORE $S/protocol/sr_rtsp_msg.c" ""
build rtsp_head "$CORE $S/protocol/sr_rtsp_head.c" ""
build sdp "$CODEC $S/protocol/sr_sdp.c $S/protocol/sr_sdp_write.c" "$SSL_LIBS"
RTP="$S/kernel/sr_rtp.c $S/kernel/sr_rtp_reorder.c"
build rtp "$CODEC $RTP $S/kernel/sr_rtp_nal_pack.c $S/kernel/sr_rtp_nal_depack.c" ""
build rtp_aac "$CODEC $RTP $S/kernel/sr_rtp_aac.c" ""
build rtp_h265 "$CODEC $RTP $S/kernel/sr_rtp_nal_pack.c $S/kernel/sr_rtp_nal_depack.c" ""
build rtcp "$CORE $RTP $S/kernel/sr_rtcp.c $S/kernel/sr_rtcp_twcc.c" ""
build m3u8 "$CORE $S/kernel/sr_m3u8.c" ""
build ts_demux "$CODEC $S/kernel/sr_payload.c $S/kernel/sr_packet.c $S/kernel/sr_ts_mux.c $S/kernel/sr_ts_demux.c
    $S/kernel/sr_ts_demux_es.c" ""
echo "build.sh: harnesses in $out"
