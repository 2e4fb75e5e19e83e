"""RDS behaviour of moto 5.2 that the AWS provider's calls trip over.

Every DB instance gets its own DbiResourceId:
  `reading RDS DB Instance (X-replica-1): couldn't find resource` right after
  creating a second instance (a read replica, or a second database). moto
  gives every instance the same hard-coded DbiResourceId, the provider (5.x)
  keeps that id as the resource's ID and looks instances up by it, and finds
  two. A replica is also a shallow copy of its primary, so it gets a fresh id
  after the copy.
"""

import hashlib

from moto.rds.models import DBInstance, RDSBackend


def _resource_id(instance):
    # Deterministic (the same name gives the same id), unique per instance.
    seed = f"{instance.account_id}/{instance.region}/{instance.db_instance_identifier}"
    digest = hashlib.sha256(seed.encode()).hexdigest().upper()
    return "db-" + digest[:26]


def apply():
    original_init = DBInstance.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.dbi_resource_id = _resource_id(self)

    DBInstance.__init__ = init

    original_replica = RDSBackend.create_db_instance_read_replica

    def create_db_instance_read_replica(self, db_kwargs):
        replica = original_replica(self, db_kwargs)
        replica.dbi_resource_id = _resource_id(replica)
        return replica

    RDSBackend.create_db_instance_read_replica = create_db_instance_read_replica
