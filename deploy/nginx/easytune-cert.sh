#!/bin/sh
# A self-signed TLS certificate on first start, unless one is given.
#
# Runs as /docker-entrypoint.d/15-easytune-cert.sh in the nginx image (before the templates
# are rendered) and the same way in the native test. Leaves NGINX_TLS_DIR alone when it
# already holds tls.crt and tls.key: mount your own certificate there to use it.
set -eu

dir="${NGINX_TLS_DIR:-/etc/nginx/certs}"
name="${NGINX_SERVER_NAME:-localhost}"
days="${NGINX_SELF_SIGNED_DAYS:-825}"

if [ -s "$dir/tls.crt" ] && [ -s "$dir/tls.key" ]; then
    echo "easytune-cert: using the certificate in $dir"
    exit 0
fi
if [ -e "$dir/tls.crt" ] || [ -e "$dir/tls.key" ]; then
    echo "easytune-cert: $dir has only one of tls.crt and tls.key; add the other or remove both" >&2
    exit 1
fi

mkdir -p "$dir"
case "$name" in
    *[!0-9.]*) san="DNS:$name,DNS:localhost,IP:127.0.0.1" ;;
    *) san="IP:$name,DNS:localhost,IP:127.0.0.1" ;;
esac
umask 077
# Written under temporary names and renamed: a crash never leaves a key without its certificate.
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days "$days" \
    -subj "/CN=$name" -addext "subjectAltName=$san" \
    -keyout "$dir/tls.key.tmp" -out "$dir/tls.crt.tmp" 2>/dev/null
chmod 644 "$dir/tls.crt.tmp"
mv "$dir/tls.key.tmp" "$dir/tls.key"
mv "$dir/tls.crt.tmp" "$dir/tls.crt"
echo "easytune-cert: created a self-signed certificate for $name in $dir (valid $days days)"
