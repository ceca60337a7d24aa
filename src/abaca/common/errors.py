"""Errors that cross module boundaries, each with the HTTP status the API maps it to."""

from __future__ import annotations


class AbacaError(Exception):
    """Base of Abaca's errors. ``code`` is the HTTP status the API answers with."""

    code = 500
    default_message = "An unexpected error occurred."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ConfigError(AbacaError):
    """The configuration is unknown or contradictory; the process must not start."""


class Invalid(AbacaError):
    code = 400
    default_message = "Invalid input."


class NotAuthorized(AbacaError):
    code = 401
    default_message = "Not authorized."


class Forbidden(AbacaError):
    code = 403
    default_message = "Policy does not allow this action."


class NotFound(AbacaError):
    code = 404
    default_message = "Resource could not be found."


class NotAcceptable(AbacaError):
    code = 406
    default_message = "Version not supported."


class Conflict(AbacaError):
    code = 409
    default_message = "Conflict."


class OverLimit(AbacaError):
    code = 413
    default_message = "Quota exceeded."


class ServiceUnavailable(AbacaError):
    code = 503
    default_message = "The service is unavailable."


class InvalidStateTransition(AbacaError):
    """A resource was asked to move between two states its state machine does not join."""


class DriverError(AbacaError):
    """A storage driver failed; the message is safe to show to the tenant."""

    default_message = "The backend failed the operation."
