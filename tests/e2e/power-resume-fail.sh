#!/usr/bin/env bash
# A ResumeFailProgram for the power-saving tests: records "resume_fail ARGS"
# in the instance's power.log.
conf=${SLURM_SKY_CONF:-${SLURM_CONF:?}}
echo "resume_fail $*" >> "$(dirname "$conf")/power.log"
