"""ElastiCache calls of the AWS provider that moto 5.2 lacks.

aws_elasticache_parameter_group:
  `creating ElastiCache Parameter Group (...): ... InvalidAction: moto: The
  create_cache_parameter_group action has not been implemented`
  -> Create/Modify/Reset/Delete/DescribeCacheParameterGroups and
  DescribeCacheParameters, kept in memory per region; tags through the
  backend's tagging service (its ARN pattern learns `parametergroup`).
aws_elasticache_replication_group create:
  `reading ElastiCache Replication Group (X): reading Cache Cluster (X-001):
  ... CacheClusterNotFound` -> moto lists member clusters it never creates:
  each member is created as a cache cluster of the group.
aws_elasticache_replication_group destroy: moto marks the group "deleting"
  and keeps it forever, so the provider waits for it to go until its 40 min
  timeout -> the group and its member clusters are removed.
aws_elasticache_subnet_group destroy:
  `... The delete_cache_subnet_group action has not been implemented`
  -> DeleteCacheSubnetGroup.
"""

import re

from moto.core.responses import ActionResult, EmptyResult
from moto.elasticache.exceptions import ElastiCacheException
from moto.elasticache.models import ElastiCacheBackend
from moto.elasticache.responses import ElastiCacheResponse


class CacheParameterGroupNotFound(ElastiCacheException):
    code = "CacheParameterGroupNotFound"


class CacheParameterGroupAlreadyExists(ElastiCacheException):
    code = "CacheParameterGroupAlreadyExists"


def _groups(backend):
    # Per-region store, created on first use (backends are built lazily).
    if not hasattr(backend, "archc_parameter_groups"):
        backend.archc_parameter_groups = {}
    return backend.archc_parameter_groups


def _group(backend, name):
    group = _groups(backend).get(name)
    if group is None:
        raise CacheParameterGroupNotFound(f"CacheParameterGroup {name} not found.")
    return group


def _public(group):
    return {k: v for k, v in group.items() if k != "Parameters"}


def create_cache_parameter_group(self):
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    if name in _groups(backend):
        raise CacheParameterGroupAlreadyExists(
            f"Parameter group {name} already exists."
        )
    arn = f"arn:aws:elasticache:{backend.region_name}:{backend.account_id}:parametergroup:{name}"
    group = {
        "CacheParameterGroupName": name,
        "CacheParameterGroupFamily": self._get_param("CacheParameterGroupFamily"),
        "Description": self._get_param("Description"),
        "IsGlobal": False,
        "ARN": arn,
        "Parameters": {},
    }
    _groups(backend)[name] = group
    tags = self._get_param("Tags", [])
    if tags:
        backend.tagging_service.tag_resource(arn, tags)
    return ActionResult({"CacheParameterGroup": _public(group)})


def describe_cache_parameter_groups(self):
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    groups = [_group(backend, name)] if name else list(_groups(backend).values())
    return ActionResult({"CacheParameterGroups": [_public(g) for g in groups]})


def modify_cache_parameter_group(self):
    name = self._get_param("CacheParameterGroupName")
    group = _group(self.elasticache_backend, name)
    for item in self._get_param("ParameterNameValues", []):
        group["Parameters"][item["ParameterName"]] = item.get("ParameterValue")
    return ActionResult({"CacheParameterGroupName": name})


def reset_cache_parameter_group(self):
    name = self._get_param("CacheParameterGroupName")
    group = _group(self.elasticache_backend, name)
    if self._get_bool_param("ResetAllParameters"):
        group["Parameters"].clear()
    for item in self._get_param("ParameterNameValues", []):
        group["Parameters"].pop(item["ParameterName"], None)
    return ActionResult({"CacheParameterGroupName": name})


def delete_cache_parameter_group(self):
    backend = self.elasticache_backend
    name = self._get_param("CacheParameterGroupName")
    group = _group(backend, name)
    del _groups(backend)[name]
    backend.tagging_service.delete_all_tags_for_resource(group["ARN"])
    return EmptyResult()


def describe_cache_parameters(self):
    name = self._get_param("CacheParameterGroupName")
    group = _group(self.elasticache_backend, name)
    # Only the values set on the group: moto knows no engine defaults, and
    # the provider asks for Source=user when it reads the group back.
    params = [
        {"ParameterName": k, "ParameterValue": v, "Source": "user", "IsModifiable": True}
        for k, v in sorted(group["Parameters"].items())
    ]
    return ActionResult({"Parameters": params})


def delete_cache_subnet_group(self):
    backend = self.elasticache_backend
    name = self._get_param("CacheSubnetGroupName")
    backend.describe_cache_subnet_groups(name)  # raises the not-found fault
    group = backend.cache_subnet_groups.pop(name)
    backend.tagging_service.delete_all_tags_for_resource(group.arn)
    return EmptyResult()


def _create_member_clusters(backend, group, kwargs):
    for cluster_id in group.member_clusters:
        if cluster_id in backend.cache_clusters:
            continue
        backend.create_cache_cluster(
            cache_cluster_id=cluster_id,
            replication_group_id=group.replication_group_id,
            az_mode=None,
            preferred_availability_zone=None,
            num_cache_nodes=1,
            cache_node_type=kwargs.get("cache_node_type"),
            engine=kwargs.get("engine") or "redis",
            engine_version=kwargs.get("engine_version"),
            cache_parameter_group_name=kwargs.get("cache_parameter_group_name"),
            cache_subnet_group_name=kwargs.get("cache_subnet_group_name"),
            transit_encryption_enabled=kwargs.get("transit_encryption_enabled"),
            network_type=kwargs.get("network_type"),
            ip_discovery=kwargs.get("ip_discovery"),
            snapshot_name=None,
            preferred_maintenance_window=kwargs.get("preferred_maintenance_window"),
            port=kwargs.get("port"),
            notification_topic_arn=None,
            auto_minor_version_upgrade=kwargs.get("auto_minor_version_upgrade"),
            snapshot_retention_limit=kwargs.get("snapshot_retention_limit"),
            snapshot_window=kwargs.get("snapshot_window"),
            auth_token=None,
            outpost_mode=None,
            preferred_outpost_arn=None,
            preferred_availability_zones=None,
            cache_security_group_names=None,
            security_group_ids=kwargs.get("security_group_ids"),
            tags=None,
            snapshot_arns=None,
            preferred_outpost_arns=None,
            log_delivery_configurations=[],
            cache_node_ids_to_remove=None,
            cache_node_ids_to_reboot=None,
        )


def _patch_replication_groups():
    original_create = ElastiCacheBackend.create_replication_group
    original_delete = ElastiCacheBackend.delete_replication_group

    def create_replication_group(self, **kwargs):
        group = original_create(self, **kwargs)
        _create_member_clusters(self, group, kwargs)
        return group

    def delete_replication_group(self, replication_group_id, retain_primary_cluster):
        group = self.replication_groups.get(replication_group_id)
        members = list(group.member_clusters) if group else []
        result = original_delete(self, replication_group_id, retain_primary_cluster)
        self.replication_groups.pop(replication_group_id, None)
        for cluster_id in members:
            cluster = self.cache_clusters.pop(cluster_id, None)
            if cluster is not None:
                self.tagging_service.delete_all_tags_for_resource(cluster.arn)
        self.tagging_service.delete_all_tags_for_resource(result.arn)
        return result

    ElastiCacheBackend.create_replication_group = create_replication_group
    ElastiCacheBackend.delete_replication_group = delete_replication_group


def apply():
    _patch_replication_groups()
    for action in (
        create_cache_parameter_group,
        describe_cache_parameter_groups,
        modify_cache_parameter_group,
        reset_cache_parameter_group,
        delete_cache_parameter_group,
        describe_cache_parameters,
        delete_cache_subnet_group,
    ):
        setattr(ElastiCacheResponse, action.__name__, action)

    # Tags of a parameter group: ListTagsForResource checks the ARN's kind.
    original_init = ElastiCacheBackend.__init__

    def init(self, region_name, account_id):
        original_init(self, region_name, account_id)
        self.arn_regex = re.compile(
            r"^arn:aws:elasticache:.*:[0-9]*:"
            r"(cluster|snapshot|subnetgroup|replicationgroup|user|parametergroup):.*$"
        )

    ElastiCacheBackend.__init__ = init
