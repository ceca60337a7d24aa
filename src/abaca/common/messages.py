"""User messages: the action and the detail of an asynchronous failure (Manila's ids)."""

from __future__ import annotations

from enum import Enum


class Action(Enum):
    ALLOCATE_HOST = ("001", "allocate host")
    CREATE = ("002", "create")
    DELETE = ("003", "delete")
    EXTEND = ("004", "extend")
    SHRINK = ("005", "shrink")
    UPDATE_ACCESS_RULES = ("006", "update access rules")
    CREATE_SNAPSHOT = ("007", "create snapshot")
    DELETE_SNAPSHOT = ("008", "delete snapshot")
    REVERT_TO_SNAPSHOT = ("009", "revert to snapshot")
    MANAGE = ("010", "manage")
    UNMANAGE = ("011", "unmanage")

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
    DRIVER_FAILED_EXTEND = ("013", "Share extend failed on the backend.")
    NO_ROOM_TO_EXTEND = ("014", "The share's pool has not enough free capacity to extend it "
                                "to the requested size; it was not changed.")
    DRIVER_FAILED_CREATING_FROM_SNAP = ("015", "Driver failed to create the share from "
                                               "the snapshot.")
    DRIVER_REFUSED_SHRINK = ("016", "The share holds more data than the requested size; "
                                    "it was not shrunk and no data was lost.")
    DRIVER_FAILED_SHRINK = ("017", "Share shrink failed on the backend.")
    UNSUPPORTED_CLIENT_ACCESS = ("019", "The backend cannot apply one or more access rules "
                                        "(the access type does not suit the protocol).")
    DRIVER_FAILED_ACCESS = ("020", "The backend failed to apply the access rules.")
    DRIVER_FAILED_SNAPSHOT = ("021", "The backend failed the snapshot operation.")
    DRIVER_FAILED_REVERT = ("022", "The backend failed to revert the share.")
    DRIVER_FAILED_MANAGE = ("023", "The backend could not adopt the existing storage.")
    DRIVER_FAILED_UNMANAGE = ("024", "The backend could not release the share.")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


def user_message(action: Action, detail: Detail) -> str:
    return f"{action.text}: {detail.text}"
