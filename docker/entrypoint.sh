#!/bin/sh
# Entry point of the pyredis image, shaped like the official redis image's:
#   pyredis-server [conf] [--opt value ...]    a server; `--protected-mode no` is put in front of the
#                                              options unless the config file sets protected-mode,
#                                              since clients come over the container network, not
#                                              the loopback (options given here still win)
#   pyredis-sentinel [conf] [--opt value ...]  a sentinel (also `pyredis-server [conf] --sentinel`);
#                                              conf defaults to /data/sentinel.conf and, when it does
#                                              not exist yet, is made from $PYREDIS_SENTINEL_TEMPLATE.
#                                              A sentinel rewrites its config file, so every sentinel
#                                              needs its own writable copy; an existing one is kept,
#                                              so a restarted container resumes where it was.
#   --opt ... | file.conf ...                  shorthand for pyredis-server ...
#   anything else                              run as given (redis-cli, sh, ...)
set -e

case "${1:-}" in
    -*|*.conf) set -- pyredis-server "$@" ;;
esac

sentinel=
if [ "${1:-}" = pyredis-sentinel ]; then
    sentinel=1
elif [ "${1:-}" = pyredis-server ]; then
    for arg in "$@"; do
        case "$arg" in --sentinel) sentinel=1 ;; esac
    done
fi

if [ -n "$sentinel" ]; then
    # pyredis-server ... --sentinel is pyredis-sentinel ...: drop the flag, pyredis-sentinel adds it
    shift
    for arg in "$@"; do
        shift
        case "$arg" in --sentinel) ;; *) set -- "$@" "$arg" ;; esac
    done
    case "${1:-}" in
        ''|-*) conf=${PYREDIS_SENTINEL_CONF:-/data/sentinel.conf} ;;
        *) conf=$1; shift ;;
    esac
    if [ ! -e "$conf" ]; then
        template=${PYREDIS_SENTINEL_TEMPLATE:-/etc/pyredis/sentinel.conf}
        mkdir -p "$(dirname "$conf")"
        # cat, not cp: the copy must be writable even when the template is a read-only mount
        cat "$template" > "$conf"
    fi
    set -- pyredis-sentinel "$conf" "$@"
elif [ "${1:-}" = pyredis-server ]; then
    shift
    conf=
    case "${1:-}" in
        ''|-*) ;;
        *) conf=$1; shift ;;
    esac
    if [ -n "$conf" ] && grep -Eqi '^[[:space:]]*protected-mode[[:space:]]' "$conf" 2>/dev/null; then
        set -- pyredis-server "$conf" "$@"
    elif [ -n "$conf" ]; then
        set -- pyredis-server "$conf" --protected-mode no "$@"
    else
        set -- pyredis-server --protected-mode no "$@"
    fi
fi

exec "$@"
