"""A request id for every request: taken from the proxy's X-Request-ID when it is sane, made
up otherwise. It goes back in the X-Request-ID response header, into every log record written
while the request is handled (`%(request_id)s`), and onto the 500 page, so a person who quotes
it leads straight to the logged traceback."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# What a proxy (nginx $request_id, a load balancer, a UUID) sends; anything else could forge
# log lines or headers, and is replaced.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_NONE = "-"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=_NONE)


def current() -> str:
    """The id of the request being handled, or "-" outside one."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request.request_id = incoming if _SANE.fullmatch(incoming) else uuid.uuid4().hex
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives records made before the factory was installed a request_id too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True


def install_log_record_factory() -> None:
    """Every log record carries the current request id, whichever handler receives it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)
