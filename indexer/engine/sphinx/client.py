"""Talking SphinxQL: PyMySQL imported only here, only when a sphinx:// location is opened, and
its errors turned into ours.

The default install has no PyMySQL (it is the ``[sphinx]`` extra), so importing the library or
the CLI never needs it; opening a sphinx:// location without it is one clear line.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ...errors import NewsfindError

__all__ = ["Connection", "Refused", "ServerDown", "connect", "greets", "pymysql_module"]

#: Seconds to wait for a searchd to accept a connection / answer a statement.
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 60.0


class ServerDown(NewsfindError):
    """A searchd did not answer (refused, timed out or closed the connection)."""


class Refused(NewsfindError):
    """A searchd answered with an error (no such index, a bad statement)."""


def pymysql_module() -> Any:
    """PyMySQL, or a one-line error saying how to install it."""
    try:
        import pymysql
    except ImportError:
        raise NewsfindError(
            "the sphinx engine needs PyMySQL: pip install 'newsfind[sphinx]'"
        ) from None
    return pymysql


def greets(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether a searchd answers on ``host:port`` (it greets every MySQL client first)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            return bool(sock.recv(16))
    except OSError:
        return False


class Connection:
    """One SphinxQL connection, reopened after a failure; statements run one at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._conn: Any = None
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _open(self) -> Any:
        if self._conn is None:
            pymysql = pymysql_module()
            try:
                self._conn = pymysql.connect(
                    host=self.host,
                    port=self.port,
                    autocommit=True,
                    connect_timeout=CONNECT_TIMEOUT,
                    read_timeout=READ_TIMEOUT,
                    write_timeout=READ_TIMEOUT,
                    charset="utf8",
                    ssl_disabled=True,  # searchd speaks no TLS; PyMySQL's probe costs ~90 ms
                    # several SELECTs in one round trip (the search's page, totals and facets)
                    client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS,
                )
            except pymysql.err.MySQLError as exc:
                raise ServerDown(f"searchd at {self.address} does not answer: {exc}") from None
        return self._conn

    def run(self, sql: str, args: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement (``%s`` placeholders escaped by PyMySQL); its rows."""
        return self.run_many([(sql, args)])[-1]

    def run_many(
        self, statements: Sequence[tuple[str, Sequence[Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        """Run statements in order on one connection (SHOW META after a SELECT; a
        transaction); each one's rows. A lost server is ServerDown, a refused statement
        NewsfindError."""
        pymysql = pymysql_module()
        with self._lock:
            conn = self._open()
            out = []
            try:
                with conn.cursor() as cursor:
                    for sql, args in statements:
                        cursor.execute(sql, args)
                        out.append(list(cursor.fetchall()))
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as exc:
                self.close_now()
                raise ServerDown(f"searchd at {self.address} failed: {exc}") from None
            except pymysql.err.MySQLError as exc:
                raise Refused(f"searchd at {self.address} refused a statement: {exc}") from None
            return out

    def run_multi(
        self, statements: Sequence[tuple[str, Sequence[Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        """Send ``statements`` as one multi-statement (one round trip); each one's rows."""
        pymysql = pymysql_module()
        with self._lock:
            conn = self._open()
            try:
                with conn.cursor() as cursor:
                    text = "; ".join(cursor.mogrify(sql, args) for sql, args in statements)
                    cursor.execute(text)
                    out = [list(cursor.fetchall())]
                    while cursor.nextset():
                        out.append(list(cursor.fetchall()))
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as exc:
                self.close_now()
                raise ServerDown(f"searchd at {self.address} failed: {exc}") from None
            except pymysql.err.MySQLError as exc:
                self.close_now()  # the rest of a failed multi-statement is still unread
                raise Refused(f"searchd at {self.address} refused a statement: {exc}") from None
            return out

    def close_now(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a broken socket may fail any way
                pass
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self.close_now()


class Pool:
    """Connections to one searchd shared by threads: each takes one, uses it, gives it back."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._free: list[Connection] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        with self._lock:
            conn = self._free.pop() if self._free else Connection(self.host, self.port)
        try:
            yield conn
        finally:
            with self._lock:
                self._free.append(conn)

    def run_many(
        self, statements: Sequence[tuple[str, Sequence[Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        with self.connection() as conn:
            return conn.run_many(statements)

    def run(self, sql: str, args: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.run_many([(sql, args)])[-1]

    def run_multi(
        self, statements: Sequence[tuple[str, Sequence[Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        with self.connection() as conn:
            return conn.run_multi(statements)

    def close(self) -> None:
        with self._lock:
            for conn in self._free:
                conn.close()
            self._free = []


def connect(host: str, port: int) -> Pool:
    return Pool(host, port)
