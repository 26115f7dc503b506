"""The route class of every page: errors become HTML pages, not problem+json.

The API maps the exception tree to ``application/problem+json`` app-wide; a person in a
browser needs a page with a way back instead, and a signed-out one needs the sign-in form.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from cxloop.errors import CxloopError
from cxloop.web.security import CsrfRejected, LoginRequired, login_url
from cxloop.web.templating import render

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return render(
        request,
        "error.html",
        {"title": title, "detail": detail, "status": status},
        status_code=status,
    )


class PageRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                target = login_url(exc.next_url)
                if request.headers.get("hx-request") == "true":
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except CsrfRejected:
                return error_page(
                    request,
                    403,
                    "Form expired",
                    "This form could not be verified (it may have expired). "
                    "Go back, reload the page and try again.",
                )
            except RequestValidationError:
                return error_page(
                    request, 404, "Page not found", "There is no page at this address."
                )
            except CxloopError as exc:
                return self.problem_page(request, exc)

        return page_handler

    def problem_page(self, request: Request, exc: CxloopError) -> Response:
        """The page for a refusal; a router for other readers (respondents) draws its own."""
        return error_page(request, exc.status, exc.title, exc.detail)


class DownloadRoute(APIRoute):
    """The route class of a page's downloads: a file, or a problem.

    A download link is followed by a browser or by a script; a signed-out person still goes
    to the sign-in form, but a bad table, format or filter answers ``application/problem+json``
    (the app's handlers) rather than an HTML page saved under a spreadsheet's name.
    """

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def download_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                return RedirectResponse(login_url(exc.next_url), status_code=303)

        return download_handler
