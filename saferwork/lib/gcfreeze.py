"""Keep the garbage collector off the objects every request shares.

A worker holds some 200,000 objects that live as long as it does: modules, the URL
resolver, compiled templates, model metadata. Each full (oldest-generation) collection
walked every one of them, and a page that builds a few hundred model instances triggers
collections: on the trainer pool that was about 40 % of the page's time in process.
After the first request has loaded what pages need, one collection clears what is truly
garbage and ``gc.freeze()`` moves the survivors into a permanent generation the
collector no longer walks. Objects made later are collected as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase


class FreezeAfterFirstRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.frozen = False

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not self.frozen:
            self.frozen = True
            gc.collect()
            gc.freeze()
        return response
