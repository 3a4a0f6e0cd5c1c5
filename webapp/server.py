"""waitress, set up so slow clients cannot lock others out and its own errors carry our headers.

waitress keeps at most ``connection_limit`` connections and drops one only after
``channel_timeout`` seconds with no byte at all, so a client that sends a header line a second
holds its connection for ever: about a hundred of them and no one else is served. Here a
connection must deliver a whole request within ``request_timeout`` seconds of opening (or of its
previous answer), or it is closed, and the limits are set for a public server (SETTINGS). The
413, 431 and 400 answers waitress writes itself get the app's security headers too.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .app import NO_STORE, SECURITY_HEADERS

__all__ = ["REQUEST_TIMEOUT", "SETTINGS", "create_server", "serve"]

#: Seconds a connection may take to send one complete request (headers and body), counted from
#: the moment it opened or got its previous answer; idle keep-alive connections go after it too.
REQUEST_TIMEOUT = 10.0

#: waitress settings (``waitress.adjustments``) that differ from its defaults, and why.
SETTINGS: dict[str, Any] = {
    # 100 slots fill up with a hundred slow sockets; each one costs a file descriptor and a few
    # KB, not a thread, so many more can wait for the worker threads
    "connection_limit": 500,
    # select() cannot watch descriptors above 1024; poll() can
    "asyncore_use_poll": True,
    # look for overdue connections every second (default every 30 s)
    "cleanup_interval": 1,
    # a connection that neither sends nor reads for this long is closed (default 120 s); this
    # catches clients that stop reading their answer
    "channel_timeout": 30,
    # the API is GET-only: bound what a client can make the server read (413 / 431)
    "max_request_body_size": 16 * 1024,
    "max_request_header_size": 64 * 1024,
    "ident": "newsfind",
}


class _ErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's own error answer (400, 413, 431, 500) with the app's security headers."""

    def execute(self) -> None:
        self.response_headers.extend(SECURITY_HEADERS.items())
        self.response_headers.append(("Cache-Control", NO_STORE))
        super().execute()


class _Channel(HTTPChannel):  # type: ignore[misc]
    """A connection that remembers since when it has been waiting for a request."""

    error_task_class = _ErrorTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting_since = self.creation_time

    def service(self) -> None:
        # a request that waited for a worker thread is not the client's delay: restart the clock
        # now, and again once the answer is out, for the next request on this connection
        self.waiting_since = time.time()
        super().service()
        self.waiting_since = time.time()


class _Server(TcpWSGIServer):  # type: ignore[misc]
    """A TCP server whose maintenance also closes connections past the request deadline."""

    channel_class = _Channel
    request_timeout = REQUEST_TIMEOUT

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            # a request being answered, or an answer still being sent, is not waiting: the
            # query time budget and channel_timeout bound those
            busy = channel.requests or channel.total_outbufs_len
            if not busy and channel.waiting_since < cutoff:
                channel.will_close = True


def create_server(app: Any, *, request_timeout: float = REQUEST_TIMEOUT, **settings: Any) -> Any:
    """A waitress server for ``app``: SETTINGS, then ``settings`` (``host``, ``port``,
    ``threads``, ``connection_limit``…), on every address ``host`` resolves to."""
    adj = Adjustments(**{**SETTINGS, **settings})
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict[int, Any] = {}
    servers = []
    for sockinfo in adj.listen:
        server = _Server(app, map=socket_map, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
        server.request_timeout = request_timeout
        servers.append(server)
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(socket_map, adj, listening, dispatcher, servers[0].log_info)


def serve(app: Any, *, request_timeout: float = REQUEST_TIMEOUT, **settings: Any) -> None:
    """Serve ``app`` until interrupted, as ``waitress.serve`` does, on :func:`create_server`."""
    logging.basicConfig()  # waitress's warnings (queue depth, connection limit) reach stderr
    server = create_server(app, request_timeout=request_timeout, **settings)
    server.print_listen("Serving on http://{}:{}")
    server.run()
