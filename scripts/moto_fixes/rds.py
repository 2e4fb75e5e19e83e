"""RDS behaviour of moto 5.2 that the AWS provider's calls trip over.

Every DB instance gets its own DbiResourceId:
  `reading RDS DB Instance (X-replica-1): couldn't find resource` right after
  creating a second instance (a read replica, or a second database). moto
  gives every instance the same hard-coded DbiResourceId, the provider (5.x)
  keeps that id as the resource's ID and looks instances up by it, and finds
  two. A replica is also a shallow copy of its primary, so it gets a fresh id
  after the copy.

DocumentDB (aws_docdb_cluster, aws_docdb_cluster_instance):
  `creating DocumentDB Cluster (X): ... InvalidParameterValue: Engine 'docdb'
  is not supported to satisfy constraint: Member must satisfy enum value set:
  ['aurora-mysql', 'aurora-postgresql', 'mysql', 'neptune', 'postgres']`.
  DocumentDB shares RDS's API (and moto's RDS backend); the engine `docdb`
  is accepted for clusters and their instances, with DocumentDB's defaults
  (engine version 5.0.0, port 27017).

A read replica in another region (replicate_source_db = the primary's ARN):
  `creating RDS DB Instance (read replica) (X): ... DBSubnetGroupNotFoundFault:
  Subnet Group X not found` -> moto copies the primary and sets the request's
  parameters on the copy before moving it to the replica's region, so the
  replica's subnet group was looked up in the primary's region: the copy
  moves to its own region first. Destroying it then failed with an HTTP 500
  (`ValueError: list.remove(x)`, retried by the provider until its timeout):
  moto records a cross-region replica on its primary by ARN but removed it
  by name -> either is removed.
"""

import hashlib

from moto.rds.models import DBCluster, DBInstance, RDSBackend
from moto.rds.utils import ClusterEngine, DbInstanceEngine

DOCDB = "docdb"
DOCDB_DEFAULTS = {"engine_version": "5.0.0", "port": 27017, "allocated_storage": 1}


def _resource_id(instance):
    # Deterministic (the same name gives the same id), unique per instance.
    seed = f"{instance.account_id}/{instance.region}/{instance.db_instance_identifier}"
    digest = hashlib.sha256(seed.encode()).hexdigest().upper()
    return "db-" + digest[:26]


def _with_docdb(original, value):
    def default(*args, **kwargs):
        engine = kwargs["engine"] if "engine" in kwargs else args[0]
        return value if engine == DOCDB else original(*args, **kwargs)

    return staticmethod(default)


def _accept_docdb():
    cluster_engines = ClusterEngine.list_cluster_engines
    instance_engines = DbInstanceEngine.valid_db_instance_engine
    ClusterEngine.list_cluster_engines = classmethod(
        lambda cls: sorted(cluster_engines() + [DOCDB])
    )
    DbInstanceEngine.valid_db_instance_engine = classmethod(
        lambda cls: sorted(instance_engines() + [DOCDB])
    )
    for cls in (DBCluster, DBInstance):
        for name, value in (
            ("default_engine_version", DOCDB_DEFAULTS["engine_version"]),
            ("default_port", DOCDB_DEFAULTS["port"]),
            ("default_allocated_storage", DOCDB_DEFAULTS["allocated_storage"]),
        ):
            if name in cls.__dict__:
                setattr(cls, name, _with_docdb(getattr(cls, name), value))


def apply():
    _accept_docdb()
    original_init = DBInstance.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.dbi_resource_id = _resource_id(self)

    DBInstance.__init__ = init

    original_replica = RDSBackend.create_db_instance_read_replica

    def create_db_instance_read_replica(self, db_kwargs):
        if self.arn_regex.match(db_kwargs["source_db_instance_identifier"]):
            # moto sets every parameter in order: the region (backend) first.
            db_kwargs = {"backend": self, **db_kwargs}
        replica = original_replica(self, db_kwargs)
        replica.dbi_resource_id = _resource_id(replica)
        return replica

    RDSBackend.create_db_instance_read_replica = create_db_instance_read_replica

    def remove_replica(self, replica):
        for key in (replica.db_instance_identifier, replica.db_instance_arn):
            if key in self.replicas:
                self.replicas.remove(key)

    DBInstance.remove_replica = remove_replica
