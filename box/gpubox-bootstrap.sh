#!/bin/bash
# gpubox bootstrap: the box's user data. It never changes between gpubox releases, because changing
# UserData stops and starts a running box, and EC2 does not run the new user data on that start anyway.
# Everything gpubox installs on the box (the idle watchdog) arrives through SSM State Manager instead,
# which updates a running box in place (gpubox's template.yaml). All this does is make sure the SSM
# agent (shipped with the Deep Learning AMIs and Amazon Linux) runs.
systemctl enable --now snap.amazon-ssm-agent.amazon-ssm-agent.service 2>/dev/null ||
  systemctl enable --now amazon-ssm-agent.service 2>/dev/null || true
