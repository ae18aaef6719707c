"""The online geocoder's I/O: a geopy geocoder, found by name in geopy's registry, behind
geopy's RateLimiter. Only ``geo.geocode`` imports this module, and only when a build or a lookup
is given a geocoder: an offline build never loads it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from geopy import exc
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

from geo.errors import GeocoderError
from geo.settings import GeocoderSettings

# geo sets these itself (--user-agent, --geocoder-timeout); the class's own "options" are the rest
OWN_OPTIONS = {"user_agent": "--user-agent", "timeout": "--geocoder-timeout"}
RETRIES = 1  # a service error is asked again once, after RETRY_WAITS delays
RETRY_WAITS = 5


@dataclass(frozen=True, slots=True)
class Answer:
    """One place a service offered for a query: its point and its address as the service
    writes it."""

    lat: float
    lon: float
    address: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the service said to one query: its answers, best first, or why it said nothing
    (``error``; the answers are then empty)."""

    answers: tuple[Answer, ...] = ()
    error: str = ""


Ask = Callable[[str], Reply]


def geocoder_class(service: str) -> type[Any]:
    """The geopy class of a service name ("nominatim").

    Raises
    ------
    GeocoderError
        For a name geopy does not know; the message lists those it does.
    """
    try:
        cls: type[Any] = get_geocoder_for_service(service)
    except exc.GeocoderNotFound as e:
        msg = (f"unknown geocoder {service!r}; geopy knows "
               f"{', '.join(sorted(SERVICE_TO_GEOCODER))}")
        raise GeocoderError(msg) from e
    return cls


def _option(cls: type[Any], name: str, text: str) -> Any:
    """The value of one keyword option of a geopy class: a number or a truth value where the
    class's default is one, else the text as given.

    Raises
    ------
    GeocoderError
        For an option the class does not take, or a value of the wrong type.
    """
    if name in OWN_OPTIONS:
        msg = f"set {name!r} with {OWN_OPTIONS[name]}, not as a --geocoder-option"
        raise GeocoderError(msg)
    named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = {p: v for p, v in inspect.signature(cls.__init__).parameters.items()
              if p != "self" and v.kind in named}
    if name not in params:
        msg = (f"the {cls.__name__} geocoder takes no option {name!r}; its options are "
               f"{', '.join(sorted(set(params) - set(OWN_OPTIONS)))}")
        raise GeocoderError(msg)
    default = params[name].default
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if isinstance(default, (int, float)):
            return type(default)(text)
    except ValueError as e:
        msg = f"option {name}={text!r} of {cls.__name__} must be a {type(default).__name__}"
        raise GeocoderError(msg) from e
    return text


def options(settings: GeocoderSettings) -> dict[str, Any]:
    """The keyword options geo passes to the service's geopy class (checked: see ``_option``)."""
    cls = geocoder_class(settings.service)
    return {name: _option(cls, name, text) for name, text in settings.options}


def connect(settings: GeocoderSettings) -> Ask:
    """A function that asks the service about one query, at most once every
    ``settings.delay`` seconds (geopy's RateLimiter), and never raises for what the service
    does: a service error, a refusal or a timeout comes back as a Reply with its ``error``.

    Raises
    ------
    GeocoderError
        If the geocoder cannot be set up with these options.
    """
    cls = geocoder_class(settings.service)
    try:
        geocoder = cls(user_agent=settings.user_agent, timeout=settings.timeout,
                       **options(settings))
    except (exc.ConfigurationError, TypeError, ValueError) as e:
        msg = f"cannot set up the {settings.service} geocoder ({type(e).__name__}: {e})"
        raise GeocoderError(msg) from e
    limited = RateLimiter(geocoder.geocode, min_delay_seconds=settings.delay,
                          max_retries=RETRIES, error_wait_seconds=RETRY_WAITS * settings.delay,
                          swallow_exceptions=False)

    def ask(query: str) -> Reply:
        try:
            found = limited(query, exactly_one=False)
        except exc.GeopyError as e:
            return Reply(error=f"{type(e).__name__}: {e}")
        return Reply(answers=tuple(Answer(lat=loc.latitude, lon=loc.longitude,
                                          address=str(loc.address or ""))
                                   for loc in found or ()))

    return ask
