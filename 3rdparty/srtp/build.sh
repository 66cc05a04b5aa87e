#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build libsrtp2 with OpenSSL's crypto into objs/srtp/ from Debian's own source package.
# Debian's libsrtp2 is built on NSS, whose PKCS#11 layer costs a lock, a hash lookup and
# an allocation per call: with many WebRTC players that per-packet overhead was about a
# quarter of the server's CPU. Built on OpenSSL (AES-NI through EVP), protecting a
# packet costs a fraction of that. Strand links the static library; DTLS already uses
# OpenSSL, so no new dependency comes in.
#
# Usage: 3rdparty/srtp/build.sh OBJS_DIR  (then -IOBJS_DIR/srtp/include, OBJS_DIR/srtp/libsrtp2.a)
set -eu

objs=${1:?usage: build.sh OBJS_DIR}
mkdir -p "$objs/srtp"
out=$(cd "$objs/srtp" && pwd)
stamp="$out/.openssl-$(cksum <"$0" | cut -d' ' -f1)" # changing this script rebuilds
if [ -f "$out/libsrtp2.a" ] && [ -f "$out/include/srtp2/srtp.h" ] && [ -f "$stamp" ]; then
    exit 0
fi

srcdir=$("$(dirname "$0")/../debian-source.sh" libsrtp2 "$out")
[ -f "$srcdir/srtp/srtp.c" ] || { echo "srtp: source tree not found under $out/src" >&2; exit 1; }
echo "srtp: configuring with --enable-openssl and compiling"
(cd "$srcdir" && CC=${CC:-cc} CFLAGS="-O2 -g -fPIC" ./configure --enable-openssl --disable-debug-logging) \
    >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; echo "srtp: configure failed" >&2; exit 1; }
grep -q '^#define OPENSSL 1' "$srcdir/crypto/include/config.h" || {
    echo "srtp: configure did not select OpenSSL (see $out/build.log)" >&2; exit 1; }
make -C "$srcdir" -j2 libsrtp2.a >>"$out/build.log" 2>&1 || {
    tail -n 40 "$out/build.log" >&2; echo "srtp: make libsrtp2.a failed" >&2; exit 1; }
# The installed header layout (<srtp2/srtp.h> and the three public crypto headers).
rm -rf "$out/include"
mkdir -p "$out/include/srtp2"
cp "$srcdir/include/srtp.h" "$out/include/srtp2/"
for h in auth.h cipher.h crypto_types.h; do
    cp "$srcdir/crypto/include/$h" "$out/include/srtp2/"
done
cp "$srcdir/libsrtp2.a" "$out/libsrtp2.a"
rm -f "$out"/.openssl-*
touch "$stamp"
echo "srtp: built $out/libsrtp2.a (OpenSSL crypto)"
