"""Whether `sitrep serve` can listen on its host and port, asked before any server starts.

On a taken port gunicorn logs "Connection in use" and "connection ... failed"
as ERROR lines, retries five times a second apart, then exits (#13); Flask's
debug server prints its own paragraph.  One bind test beforehand turns each
cause into one ``Error:`` line that says what to change.  This module needs
neither gunicorn nor flask, so ``--debug`` can use it where gunicorn is
missing (Windows).
"""

from __future__ import annotations

import errno
import socket

from search import CannotListen

# How far past a taken port to look for a free one to suggest.
SUGGESTION_RANGE = 20


def _bind_error(host: str, port: int) -> OSError | None:
    """The error binding ``host``:``port`` raises, or None when it can be bound.

    Binds as gunicorn does (IPv6 for an address with a colon, SO_REUSEADDR),
    so a port left in TIME_WAIT by a server that just stopped passes here as
    it does there.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:  # socket.gaierror included: a host name that does not resolve
            return error
    return None


def _free_port_after(host: str, port: int) -> int | None:
    """The first port after ``port`` that ``host`` can bind, within :data:`SUGGESTION_RANGE`."""
    for candidate in range(port + 1, min(port + SUGGESTION_RANGE, 65535) + 1):
        if _bind_error(host, candidate) is None:
            return candidate
    return None


def check_listen_address(host: str, port: int) -> None:
    """Make sure ``host``:``port`` can be bound now; say why not otherwise.

    A program that takes the port between this check and the server's own
    bind still gets the server's messages; the check is for the common case,
    a second `sitrep serve` or another program already listening.

    :raises CannotListen: the port is in use, needs administrator rights, the
        address is not one of this machine's, or the host name does not resolve.
    """
    error = _bind_error(host, port)
    if error is None:
        return
    hosts = "--host or SITREP_HOST (127.0.0.1: this machine only; 0.0.0.0: every network)"
    if isinstance(error, socket.gaierror):
        raise CannotListen(f"cannot listen on {host}: no such host name; choose another with {hosts}")
    if error.errno == errno.EADDRINUSE:
        free = _free_port_after(host, port)
        choice = (f"--port {free} or SITREP_PORT={free} (make run SITREP_PORT={free})" if free
                  else "--port or SITREP_PORT (make run SITREP_PORT=...)")
        raise CannotListen(f"port {port} on {host} is in use by another program; choose another with {choice}")
    if error.errno == errno.EADDRNOTAVAIL:
        raise CannotListen(f"cannot listen on {host}: it is not an address of this machine; choose another with {hosts}")
    if error.errno == errno.EACCES:
        raise CannotListen(f"port {port} needs administrator rights; choose one from 1024 up with --port or SITREP_PORT")
    raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror or error}")


__all__ = ["check_listen_address"]
