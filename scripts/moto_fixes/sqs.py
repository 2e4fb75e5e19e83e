"""SQS attributes of moto 5.2 that the AWS provider's calls need.

aws_sqs_queue_redrive_allow_policy:
  the provider sets RedriveAllowPolicy, then polls GetQueueAttributes until
  the queue reports it: moto stores it but answers `InvalidAttributeName:
  Unknown Attribute RedriveAllowPolicy` (and leaves it out of "All"), so
  terraform waited until its timeout -> RedriveAllowPolicy is a queue
  attribute like RedrivePolicy. Destroying it sets the policy to "" and
  polls until the queue has none: moto kept reporting "" (destroy hung until
  the timeout) -> "" clears it, as on AWS.
"""

from moto.sqs.models import Queue


def apply():
    if "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES = Queue.BASE_ATTRIBUTES + ["RedriveAllowPolicy"]
    # A queue never given one has none (the attribute is read for "All"),
    # and setting "" removes it.
    def get_policy(queue):
        return queue.__dict__.get("_archc_redrive_allow_policy")

    def set_policy(queue, value):
        queue.__dict__["_archc_redrive_allow_policy"] = value or None

    Queue.redrive_allow_policy = property(get_policy, set_policy)
