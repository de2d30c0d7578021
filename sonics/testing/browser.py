"""Drive a real headless Chromium over the DevTools protocol, to test pages sonics writes.

The browser is started with ``--remote-debugging-pipe``: the protocol's JSON messages
travel on two pipes (the browser reads file descriptor 3 and writes 4, each message
ended by a NUL byte), so neither a WebSocket library nor a driver binary is needed,
and no port is opened. Only the Python standard library is used.

Every page records what a person would see go wrong: uncaught exceptions, console
errors, log entries of level error, and requests that failed (a media request the
browser cancels once it has read enough is not a failure).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["BrowserError", "HeadlessChromium", "Page", "find_chromium"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
)
"""Flags for a quiet, offline, reproducible browser (``--mute-audio``: no sound device is needed)."""

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(RuntimeError):
    """The browser could not be started, stopped answering, or reported a protocol error."""


def find_chromium() -> str | None:
    """Return the Chromium executable to use, or None when there is none.

    ``$SONICS_CHROMIUM`` wins; then ``/usr/bin/chromium`` (Debian's package) and the usual
    names on the ``PATH``.
    """
    chosen = os.environ.get("SONICS_CHROMIUM")
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class HeadlessChromium:
    """A headless Chromium with a fresh profile, driven over a DevTools pipe.

    Parameters
    ----------
    executable : str, optional
        The browser; by default :func:`find_chromium`.
    flags : tuple of str
        Extra command-line flags (after :data:`CHROMIUM_FLAGS`).
    timeout_s : float
        Longest wait for any one answer [s].

    Raises
    ------
    BrowserError
        If there is no browser or it does not start.

    Examples
    --------
    >>> with HeadlessChromium() as browser:  # doctest: +SKIP
    ...     page = browser.open(Path("out/report.html").resolve().as_uri())
    ...     page.evaluate("document.title")
    """

    def __init__(
        self, executable: str | None = None, *, flags: tuple[str, ...] = (), timeout_s: float = 30.0
    ) -> None:
        executable = executable or find_chromium()
        if executable is None:
            raise BrowserError(
                "no chromium found (install Debian's chromium package, or set SONICS_CHROMIUM)"
            )
        self.timeout_s = timeout_s
        self._profile = tempfile.TemporaryDirectory(prefix="sonics-chromium-")
        self._log_path = Path(self._profile.name) / "stderr.log"
        self._buffer = b""
        self._next_id = 0
        self._events: dict[str | None, list[dict[str, Any]]] = {}
        to_browser, from_us = os.pipe()
        from_browser, to_us = os.pipe()
        self._write_fd, self._read_fd = from_us, from_browser
        # The child's ends move above 9 first, so that placing one on fd 3 cannot close the other.
        to_browser, to_us = (self._above_nine(fd) for fd in (to_browser, to_us))

        def give_pipes() -> None:  # in the child, before exec: the protocol's fds 3 and 4
            os.dup2(to_browser, 3)
            os.dup2(to_us, 4)

        args = [
            executable,
            *CHROMIUM_FLAGS,
            *flags,
            f"--user-data-dir={self._profile.name}/profile",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            with open(self._log_path, "wb") as log:
                # close_fds=False keeps fds 3 and 4 (made by dup2) open across exec; every
                # other descriptor Python made is close-on-exec and stays behind.
                self._process = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    preexec_fn=give_pipes,  # the one way to place fds 3 and 4 in the child
                    close_fds=False,
                )
        except OSError as exc:
            self._cleanup_fds(to_browser, to_us, from_us, from_browser)
            self._profile.cleanup()
            raise BrowserError(f"{executable}: cannot start ({exc})") from None
        self._cleanup_fds(to_browser, to_us)
        try:
            self.send("Target.setDiscoverTargets", {"discover": False})
        except BrowserError:
            self.close()
            raise

    @staticmethod
    def _above_nine(fd: int) -> int:
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return moved

    @staticmethod
    def _cleanup_fds(*fds: int) -> None:
        for fd in fds:
            os.close(fd)

    def __enter__(self) -> HeadlessChromium:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the browser (politely, then by force) and remove its profile."""
        if self._process.poll() is None:
            try:
                self._post("Browser.close", {}, None)
                self._process.wait(timeout=10)
            except (BrowserError, OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait(timeout=10)
        for fd in (self._write_fd, self._read_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._write_fd = self._read_fd = -1
        self._profile.cleanup()

    # ------------------------------------------------------------------ protocol

    def _post(self, method: str, params: dict[str, Any], session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._write_fd, json.dumps(message).encode("utf-8") + b"\0")
        except OSError as exc:
            raise BrowserError(f"chromium is gone ({exc}); {self._log_tail()}") from None
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"chromium did not answer within {self.timeout_s:g} s")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if ready:
                chunk = os.read(self._read_fd, 1 << 16)
                if not chunk:
                    raise BrowserError(f"chromium closed the pipe; {self._log_tail()}")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message = json.loads(raw)
        if "method" in message:
            self._events.setdefault(message.get("sessionId"), []).append(message)
        return message

    def _log_tail(self) -> str:
        try:
            lines = self._log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return "last log line: " + (lines[-1] if lines else "(empty)")

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one protocol command and return its result; raise :class:`BrowserError` on an error."""
        wanted = self._post(method, params or {}, session)
        deadline = time.monotonic() + self.timeout_s
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error'].get('message', message['error'])}")
                return message.get("result", {})

    def pump(self, seconds: float) -> None:
        """Read the events that arrive during ``seconds``."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self._receive(deadline)
        except BrowserError:
            if self._process.poll() is not None:
                raise

    def events(self, session: str | None) -> list[dict[str, Any]]:
        """Return the events received so far for one session, oldest first."""
        return self._events.setdefault(session, [])

    def open(self, url: str, *, width_px: int = 1400, height_px: int = 1000) -> Page:
        """Open ``url`` in a new tab of the given size and wait until it has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width_px, "height": height_px, "deviceScaleFactor": 1, "mobile": False},
        )
        page.send("Emulation.setFocusEmulationEnabled", {"enabled": True})
        page.navigate(url)
        return page


class Page:
    """One tab: navigate, run script, send input, and list what went wrong."""

    def __init__(self, browser: HeadlessChromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a protocol command to this tab."""
        return self.browser.send(method, params, self.session)

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for its ``load`` event."""
        seen = len(self.browser.events(self.session))
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        deadline = time.monotonic() + self.browser.timeout_s
        while not any(e["method"] == "Page.loadEventFired" for e in self.browser.events(self.session)[seen:]):
            self.browser._receive(deadline)

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page (awaiting a promise) and return its value as JSON data.

        Raises
        ------
        BrowserError
            If the script throws.
        """
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True, "userGesture": False},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"script failed: {text}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, *, timeout_s: float = 10.0, poll_s: float = 0.05) -> Any:
        """Evaluate ``expression`` until it is truthy and return its value; raise on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out after {timeout_s:g} s waiting for {expression}")
            self.browser.pump(poll_s)

    def press(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """Press and release one key, as a person would (a user gesture)."""
        common = {
            "key": key,
            "code": code,
            "windowsVirtualKeyCode": key_code,
            "nativeVirtualKeyCode": key_code,
        }
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": text, **common})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **common})

    def click(self, x_px: float, y_px: float) -> None:
        """Click the left mouse button at a point of the viewport (a user gesture)."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x_px, "y": y_px, "button": "left", "clickCount": 1},
            )

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Write what the tab shows to a PNG file and return its path."""
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        target = Path(path)
        target.write_bytes(base64.b64decode(data))
        return target

    def problems(self) -> list[str]:
        """Return what went wrong so far: exceptions, console errors, error log entries, failed requests."""
        found = []
        urls = {}
        for event in self.browser.events(self.session):
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                urls[params.get("requestId")] = params.get("request", {}).get("url", "")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(
                    f"exception: {details.get('exception', {}).get('description') or details.get('text')}"
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                found.append(f"console.{params['type']}: {args}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(
                    f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip()
                )
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                url = urls.get(params.get("requestId"), "?")
                found.append(f"request failed: {url}: {params.get('errorText')} ({params.get('type')})")
        return found
