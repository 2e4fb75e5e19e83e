"""Start moto's AWS emulator for scripts/apply-moto, with the fixes it needs.

Usage: python moto-server.py PORT_FILE

Binds a free loopback port, writes it to PORT_FILE once the server accepts
requests, and serves until killed. The fixes below patch moto in this process
only: they answer calls the Terraform AWS provider makes that moto (pinned in
scripts/moto-requirements.txt) does not emulate well enough. They never touch
the generated Terraform, which stays what a user applies to real AWS.
"""

import os
import signal
import sys
import threading

# AWS managed policies (arn:aws:iam::aws:policy/...) exist in moto only when
# this is set before moto.iam is imported.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402


def fail_fast_on_unimplemented_actions():
    """An action moto does not implement fails at once with a 400 naming it.

    Answers: terraform hanging until its timeout on a resource, moto's log
    showing `NotImplementedError: The X action has not been implemented`.
    moto raises NotImplementedError, which its server turns into HTTP 500, and
    the provider's AWS SDK retries every 500 with back-off for many minutes.
    """
    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult, BaseResponse

    class UnimplementedAction(ServiceException):
        code = "InvalidAction"

    original = BaseResponse.call_action

    def call_action(self):
        try:
            status, headers, body = original(self)
        except NotImplementedError as err:
            _, headers, body = self.serialized(
                ActionResult(UnimplementedAction(f"moto: {err}"))
            )
            status = 400
        if int(status) >= 400:
            # Which call failed, for the stage's moto.log (werkzeug logs only
            # "POST /" for the query protocols).
            print(
                f"moto-server: {self.service_name} {self._get_action()} -> {status}: "
                f"{str(body)[:300]!r}",
                file=sys.stderr,
                flush=True,
            )
        return status, headers, body

    BaseResponse.call_action = call_action


def apply_fixes():
    """Every fix, each documented with the error it answers."""
    fail_fast_on_unimplemented_actions()
    from moto_fixes import cloudfront, dynamodb, elasticache, rds, sqs

    cloudfront.apply()
    dynamodb.apply()

    elasticache.apply()
    rds.apply()
    sqs.apply()


def main():
    port_file = sys.argv[1]
    apply_fixes()
    server = ThreadedMotoServer("127.0.0.1", 0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
