"""`kcl run FILE` for the benchmark: kcl-lib on PyPI ships the KCL runtime
(Rust, loaded as a Python extension) with a Python API and no command-line
runner, so this is the smallest whole process that runs a KCL program and
prints its YAML output."""
import sys

from kcl_lib import api

result = api.API().exec_program(api.ExecProgramArgs(k_filename_list=sys.argv[1:]))
if result.err_message:
    sys.exit(result.err_message)
sys.stdout.write(result.yaml_result + "\n")
