"""Media is served with HTTP Range requests, so seeking in a video works."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from saferwork.learning import ranges, services

pytestmark = pytest.mark.django_db

CONTENT = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40  # 10,244 bytes


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 10243)),
        ("bytes=-100", (10144, 10243)),
        ("bytes=-99999", (0, 10243)),
        ("bytes=10000-99999", (10000, 10243)),
        ("bytes=5-5", (5, 5)),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file
        ("items=0-5", None),
        ("bytes=9-3", None),
        ("bytes=-", None),
        ("nonsense", None),
    ],
)
def test_parse_range(header: str, expected: Any) -> None:
    assert ranges.parse(header, len(CONTENT)) == expected


@pytest.mark.parametrize("header", ["bytes=10244-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(ranges.Unsatisfiable):
        ranges.parse(header, len(CONTENT))


@pytest.fixture
def media_step(organisation: Any, coordinator: Any, learner: Any, settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    module = services.create_module(organisation=organisation, title="Media", summary="", minutes=5, actor=coordinator)
    version = module.versions.get()
    step = services.save_step(
        version=version,
        content=services.StepContent(kind="media", title="Watch", transcript="Words spoken"),
        media=("talk.webm", CONTENT),
        captions=b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
    )
    services.publish(version=version, actor=coordinator)
    services.assign(
        module=module, organisation=organisation, people=[services.Assignee(learner.email)], actor=coordinator
    )
    services.start(enrolment=module.enrolments.get())
    return step


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_file_says_it_accepts_ranges(client: Any, learner: Any, media_step: Any) -> None:
    client.force_login(learner)
    got = client.get(reverse("learning:media", args=[media_step.pk, "file"]))
    assert got.status_code == 200 and got["Accept-Ranges"] == "bytes"
    assert got["Content-Length"] == str(len(CONTENT)) and _body(got) == CONTENT


@pytest.mark.parametrize(
    ("header", "first", "last"), [("bytes=0-0", 0, 0), ("bytes=1000-", 1000, 10243), ("bytes=-44", 10200, 10243)]
)
def test_a_range_gets_206_with_exactly_those_bytes(
    client: Any, learner: Any, media_step: Any, header: str, first: int, last: int
) -> None:
    client.force_login(learner)
    got = client.get(reverse("learning:media", args=[media_step.pk, "file"]), HTTP_RANGE=header)
    assert got.status_code == 206
    assert got["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert got["Content-Length"] == str(last - first + 1)
    assert got["Content-Type"] == "video/webm" and got["Accept-Ranges"] == "bytes"
    assert _body(got) == CONTENT[first : last + 1]


def test_a_range_past_the_end_gets_416(client: Any, learner: Any, media_step: Any) -> None:
    client.force_login(learner)
    got = client.get(reverse("learning:media", args=[media_step.pk, "file"]), HTTP_RANGE="bytes=20000-")
    assert got.status_code == 416 and got["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_ranges_do_not_open_media_to_others(
    verified_client: Any, other_learner: Any, outsider: Any, media_step: Any
) -> None:
    for person in (other_learner, outsider):
        got = verified_client(person).get(
            reverse("learning:media", args=[media_step.pk, "file"]), HTTP_RANGE="bytes=0-10"
        )
        assert got.status_code == 404
