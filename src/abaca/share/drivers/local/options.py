"""Config options of the ``local`` storage driver (in its backend's group)."""

from __future__ import annotations

from oslo_config import cfg

OPTS = [
    cfg.StrOpt("local_pool_type", default="btrfs", choices=["btrfs", "directory"],
               help="btrfs: one subvolume per share with a qgroup limit as its hard size, "
                    "copy-on-write snapshots. directory: plain directories on any "
                    "filesystem; sizes are recorded but not enforced."),
    cfg.StrOpt("local_pool_path", default="",
               help="Where the pool lives: a mounted btrfs filesystem (local_pool_type = "
                    "btrfs) or a directory. Empty: a btrfs filesystem on a loop-mounted "
                    "sparse file under $state_path/local/<backend>/ (the embedded default)."),
    cfg.IntOpt("local_loop_size_gb", default=50, min=1,
               help="Size of the sparse file of the embedded btrfs filesystem."),
    cfg.StrOpt("local_pool_name", default="local",
               help="Name of the pool, as in host@backend#pool."),
    cfg.FloatOpt("local_max_over_subscription_ratio", default=4.0, min=1.0,
                 help="Reported for the btrfs pool: share limits may add up to this many "
                      "times its size (quotas reserve no space)."),
    cfg.HostAddressOpt("local_export_address", default="127.0.0.1",
                       help="Address NFS-Ganesha and Samba bind to and export locations "
                            "name."),
    cfg.PortOpt("local_nfs_port", default=2049, help="Port of NFS-Ganesha."),
    cfg.PortOpt("local_smb_port", default=445, help="Port of Samba (smbd)."),
    cfg.ListOpt("local_protocols", default=["NFS", "CIFS"],
                help="Protocols this backend serves; it starts a server for each."),
    cfg.StrOpt("local_cifs_users_file", default="",
               help="File of name:password lines: the Samba users that CIFS user rules "
                    "may name. Read at start and on every periodic run."),
    cfg.StrOpt("local_replication_domain", default="",
               help="Local backends of this share service with the same domain keep "
                    "replicas of each other's shares (btrfs pools only; btrfs send and "
                    "receive). Empty: no replication."),
    cfg.StrOpt("local_replication_type", default="readable", choices=["readable", "dr"],
               help="Replication type reported with local_replication_domain: readable "
                    "replicas are served read-only, dr replicas not at all until "
                    "promoted."),
    cfg.IntOpt("local_supervise_interval", default=5, min=1,
               help="Seconds between checks that NFS-Ganesha and smbd are running; a "
                    "dead one is started again and serves every export again."),
]
