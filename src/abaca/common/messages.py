"""User messages: the action and the detail of an asynchronous failure (Manila's ids)."""

from __future__ import annotations

from enum import Enum


class Action(Enum):
    ALLOCATE_HOST = ("001", "allocate host")
    CREATE = ("002", "create")
    DELETE = ("003", "delete")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


class Detail(Enum):
    UNKNOWN_ERROR = ("001", "An unknown error occurred.")
    DRIVER_FAILED_CREATING = ("002", "Driver failed to create share.")
    NO_VALID_HOST = ("004", "No storage could be allocated for this share request, "
                            "no backend that is up and enabled can satisfy the share type, "
                            "size and availability zone requested.")
    DRIVER_FAILED_DELETING = ("009", "Driver failed to delete share.")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


def user_message(action: Action, detail: Detail) -> str:
    return f"{action.text}: {detail.text}"
