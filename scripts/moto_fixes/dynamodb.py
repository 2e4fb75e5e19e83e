"""DynamoDB global tables (version 2019.11.21) for the AWS provider on moto 5.2.

aws_dynamodb_table with a `replica { region_name = ... }` block:
  the provider creates the table, then calls UpdateTable with ReplicaUpdates
  and polls DescribeTable until the replica is ACTIVE. moto ignores
  ReplicaUpdates (answers 200, records nothing), so terraform showed
  `aws_dynamodb_table.X: Still creating...` until its 30 minute timeout.
  -> ReplicaUpdates Create makes the same table (keys, indexes, billing,
  stream, encryption) in the replica's region; Delete removes it. Every
  table of the group describes the others under `Replicas` (ACTIVE), and
  `GlobalTableVersion` 2019.11.21, as AWS does (a table never lists its
  own region). Items are not copied between the regions' tables.
"""

import copy

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler, DynamoResult

GLOBAL_TABLE_VERSION = "2019.11.21"


def _group(table):
    # The regions holding this table: one set shared by every member.
    if not hasattr(table, "archc_regions"):
        table.archc_regions = {table.region_name}
    return table.archc_regions


def _create_replica(source, region):
    backend = dynamodb_backends[source.account_id][region]
    regions = _group(source)
    if source.name not in backend.tables:
        sse = copy.deepcopy(source.sse_specification)
        if sse and sse.get("KMSMasterKeyId"):
            # A key belongs to one region: the replica uses its region's
            # AWS managed key unless the request names one.
            sse.pop("KMSMasterKeyId")
        replica = backend.create_table(
            name=source.name,
            schema=copy.deepcopy(source.schema),
            throughput=copy.deepcopy(source.throughput),
            attr=copy.deepcopy(source.attr),
            global_indexes=[i.describe() for i in source.global_indexes],
            indexes=[i.describe() for i in source.indexes],
            streams=copy.deepcopy(source.stream_specification),
            billing_mode=source.billing_mode,
            sse_specification=sse,
            tags=[],
            deletion_protection_enabled=False,
            warm_throughput=None,
        )
        replica.archc_regions = regions
    regions.add(region)


def _delete_replica(source, region):
    backend = dynamodb_backends[source.account_id][region]
    regions = _group(source)
    regions.discard(region)
    if source.name in backend.tables:
        backend.tables.pop(source.name)


def apply():
    original_update = DynamoHandler.update_table

    def update_table(self):
        result = original_update(self)
        updates = self.body.get("ReplicaUpdates") or []
        if updates:
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            for update in updates:
                if "Create" in update:
                    _create_replica(table, update["Create"]["RegionName"])
                elif "Delete" in update:
                    _delete_replica(table, update["Delete"]["RegionName"])
            # The answer describes the table with its new replicas.
            result = DynamoResult(table.describe())
        return result

    DynamoHandler.update_table = update_table

    original_describe = Table.describe

    def describe(self, base_key="TableDescription"):
        result = original_describe(self, base_key=base_key)
        others = sorted(_group(self) - {self.region_name})
        if others:
            result[base_key]["GlobalTableVersion"] = GLOBAL_TABLE_VERSION
            result[base_key]["Replicas"] = [
                {"RegionName": region, "ReplicaStatus": "ACTIVE"} for region in others
            ]
        return result

    Table.describe = describe

    # Deleting a member leaves the others' group.
    original_delete = DynamoDBBackend.delete_table

    def delete_table(self, name):
        table = original_delete(self, name)
        _group(table).discard(self.region_name)
        return table

    DynamoDBBackend.delete_table = delete_table
