"""API microversions: parsing, the supported range, and what each version adds."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from abaca.common.errors import Invalid, NotAcceptable, NotFound

HEADER = "X-OpenStack-Manila-API-Version"
EXPERIMENTAL_HEADER = "X-OpenStack-Manila-API-Experimental"
_PATTERN = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


@dataclass(frozen=True, order=True)
class APIVersion:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        match = _PATTERN.fullmatch(text.strip())
        if not match:
            raise Invalid(f"API Version String {text} is of invalid format. "
                          "Must be of format MajorNum.MinorNum.")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@functools.lru_cache(maxsize=256)
def v(text: str) -> APIVersion:
    """A version from its text; views call this per field, so the parse is cached."""
    return APIVersion.parse(text)


MIN_VERSION = v("2.0")
# The highest version clients may ask for; README.md (Status) lists what is still
# missing below it.
MAX_VERSION = v("2.67")


def negotiate(header: str | None) -> APIVersion:
    """The version a request asked for: 2.0 without a header, 406 outside the range."""
    if header is None or not header.strip():
        return MIN_VERSION
    if header.strip().lower() == "latest":
        return MAX_VERSION
    version = APIVersion.parse(header)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(f"Version {version} is not supported by the API. Minimum is "
                            f"{MIN_VERSION} and maximum is {MAX_VERSION}.")
    return version


def require(version: APIVersion, minimum: str, maximum: str | None = None) -> None:
    """A method outside [minimum, maximum] does not exist at this version: 404."""
    if version < v(minimum) or (maximum is not None and version > v(maximum)):
        raise NotFound("The resource could not be found.")
