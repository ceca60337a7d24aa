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
    # share groups (050-069)
    CREATE_SHARE_GROUP = ("050", "create share group")
    DELETE_SHARE_GROUP = ("051", "delete share group")
    CREATE_SHARE_GROUP_SNAPSHOT = ("052", "create share group snapshot")
    DELETE_SHARE_GROUP_SNAPSHOT = ("053", "delete share group snapshot")
    # share replicas (create and delete use CREATE and DELETE)
    PROMOTE_REPLICA = ("030", "promote share replica")
    UPDATE_REPLICA = ("031", "update share replica")

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
    MANAGED_SIZE_OUT_OF_TYPE_LIMITS = ("025", "The existing storage's size is outside the "
                                              "share type's provisioning:min_share_size / "
                                              "provisioning:max_share_size; it was not "
                                              "adopted.")
    NO_SHARE_SERVER = ("003", "Could not find an existing share server or allocate one on "
                              "the share network provided. You may use a different share "
                              "network, or verify the network details in the share network "
                              "and retry your request. If this doesn't work, contact your "
                              "administrator to troubleshoot issues with your network.")
    # recovery (090-099): the reconciler, share/reconcile/
    INTERRUPTED = ("090", "The operation was interrupted (a service restarted or a message "
                          "was lost) and could not be finished; nothing was removed. You "
                          "may retry it.")
    REQUEST_TIMED_OUT = ("091", "The request was not taken up in time: the scheduler, the "
                                "share service or the message bus was unavailable. Nothing "
                                "was created; you may delete the share and retry.")
    # share servers (070-079)
    NO_FREE_ADDRESS = ("070", "The share network has no free address left for a new share "
                              "server: every address of its pool is in use. Use another "
                              "share network, or ask your administrator to enlarge the "
                              "pool.")
    # share groups (050-069)
    NO_VALID_HOST_FOR_GROUP = ("050", "No backend that is up and enabled can hold a share "
                                      "group of these share types and group specs in the "
                                      "availability zone requested.")
    DRIVER_FAILED_SHARE_GROUP = ("051", "The backend failed the share group operation.")
    DRIVER_FAILED_GROUP_SNAPSHOT = ("052", "The backend failed to snapshot one or more shares "
                                           "of the group.")
    # share replicas
    DRIVER_FAILED_CREATING_REPLICA = ("030", "Driver failed to create the share replica.")
    DRIVER_FAILED_DELETING_REPLICA = ("031", "Driver failed to delete the share replica.")
    DRIVER_FAILED_PROMOTE = ("032", "Driver failed to promote the share replica; the "
                                    "previously active replica stays active.")
    DRIVER_FAILED_REPLICA_UPDATE = ("033", "Driver failed to update the share replica; "
                                           "its replica_state is error.")
    NO_REPLICATION_HOST = ("034", "No storage could be allocated for this share replica: "
                                  "no backend that is up and enabled in the share's "
                                  "replication domain and availability zone can hold "
                                  "another replica of it.")
    DRIVER_FAILED_REPLICA_ACCESS = ("035", "The backend failed to apply the access rules to "
                                           "the share replica.")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


def user_message(action: Action, detail: Detail) -> str:
    return f"{action.text}: {detail.text}"
